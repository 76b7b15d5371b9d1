"""Issue 13 item 6: pushes and delivery reports in Vietnamese, the broadcast heading once."""

from __future__ import annotations

import re
from pathlib import Path

from bot.messages import load_catalog
from bot.scheduler.compose import broadcast, reason_label


def test_the_broadcast_heading_is_never_doubled() -> None:
    t = load_catalog()
    assert broadcast(t, "Họp giao ban lúc 14:00.").text == "📢 Thông báo\nHọp giao ban lúc 14:00."
    assert broadcast(t, "📢 Thông báo: họp lúc 14:00").text == "📢 Thông báo: họp lúc 14:00"
    assert broadcast(t, "Thông báo lịch nghỉ lễ").text == "📢 Thông báo lịch nghỉ lễ"
    for message in ("📢 Thông báo: họp", "Thông báo lịch nghỉ lễ", "thong bao: nghi le"):
        assert (
            broadcast(t, message).text.lower().count("thông báo")
            + broadcast(t, message).text.lower().count("thong bao")
            == 1
        )


def _stored_reasons() -> set[str]:
    """Every reason code the code base can store for an undelivered message."""
    found: set[str] = set()
    for path in Path("bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        found.update(re.findall(r'Unreachable\("([a-z_]+)"\)', source))
        found.update(re.findall(r'reason="([a-z_]+)"', source))
    return found


def test_every_delivery_reason_is_said_in_vietnamese() -> None:
    t = load_catalog()
    reasons = _stored_reasons() | {"undeliverable", "failed", "gave up: 502 Bad Gateway"}
    assert {"blocked", "zalo_oa_window", "web_session_expired"} <= reasons
    other = t("reminders.reason.other", detail="")[:8]
    for reason in reasons:
        label = reason_label(t, reason)
        assert not label.startswith(other), f"{reason!r} has no Vietnamese wording"
        assert "blocked" not in label and "_" not in label
    assert reason_label(t, "rejected: Bad Request: chat not found").startswith("nền tảng từ chối")
