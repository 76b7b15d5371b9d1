"""Acceptance: a registration, a question, a quiz attempt and a nomination carried through each
platform channel over loopback HTTP (Zalo Bot with numbered replies only)."""

from __future__ import annotations

from bot.app import BotApp
from bot.nominations.types import Category
from tests.channels.conftest import TG_SECRET, ZB_SECRET, TelegramRig, ZaloBotRig, ZaloOaRig
from tests.channels.platform_chat import PlatformChat
from tests.handlers.test_start import REGISTER_STAFF
from tests.nominations.conftest import ROUND_CLOSES, ROUND_OPENS
from tests.nominations.forms import PERSON

# The nominator line names the person the nominations tests register; ours is Nguyễn Thị Hòa.
NOMINATE = (
    "\n".join(line for line in PERSON.splitlines() if "Người đề cử" not in line)
    + """
    < Người đề cử (lấy từ hồ sơ của anh/chị): Nguyễn Thị Hòa — Chuyên viên, Sở Khoa học và Công nghệ
    > [Gửi đề cử]
    < Đã gửi đề cử DC-2026-0001 (Lê Văn Minh) cho Hội đồng Thi đua – Khen thưởng
"""
)


async def _everything(chat: PlatformChat, bot: BotApp) -> None:
    await bot.services.nominations.rounds.open(
        name="Đợt 1 năm 2026",
        code="dot1-2026",
        categories=tuple(Category),
        opens_on=ROUND_OPENS,
        closes_on=ROUND_CLOSES,
    )
    await chat.converse(REGISTER_STAFF)
    answer = await chat.say("lam sao dang ky vneid muc 2")
    assert "VNeID" in answer
    await chat.converse("""
        > /kiemtra
        < Anh/chị chọn bộ câu hỏi
        > [Kỹ năng số cơ bản]
        > [Làm bài chính thức]
        < Câu 1/10
    """)
    for number in range(1, 11):
        shown = await chat.press_nth(1 + number % 4)
        assert f"Câu {number}/10" in shown, shown
    assert "/10 câu" in shown
    await chat.converse("""
        > /ketqua
        < Kỹ năng số cơ bản
    """)
    await chat.converse(NOMINATE)


async def test_everything_through_telegram(telegram_rig: TelegramRig) -> None:
    fake = telegram_rig.fake
    assert fake.webhook["url"] == f"{telegram_rig.url}/tg/hook"
    assert fake.webhook["secret_token"] == TG_SECRET
    commands = {c["command"]: c["description"] for c in fake.commands["default:"]}
    assert {"start", "menu", "kiemtra", "decu", "hoso", "huy"} <= commands.keys()
    assert "duyetdecu" not in commands  # the council's commands stay out of the menu
    assert commands["start"].startswith("Bắt đầu")
    await _everything(telegram_rig.chat, telegram_rig.app)
    assert all(m["parse_mode"] == "HTML" for m in fake.messages)
    assert [c for c in fake.calls if c["status"] >= 400] == []  # nothing refused by the API
    edits = [m for m in fake.messages if m["method"] == "editMessageText"]
    assert len(edits) == 10  # each answered question became its feedback, in place
    assert len(fake.callback_answers) == sum(
        "callback_query" in u for u in telegram_rig.chat.updates
    )


async def test_everything_through_zalo_bot_with_numbers_only(zalo_bot_rig: ZaloBotRig) -> None:
    assert zalo_bot_rig.fake.webhook["url"] == f"{zalo_bot_rig.url}/zb/hook"
    assert zalo_bot_rig.fake.webhook["secret_token"] == ZB_SECRET
    await _everything(zalo_bot_rig.chat, zalo_bot_rig.app)
    assert zalo_bot_rig.fake.actions  # "typing…" shown while the bot works
    assert all(len(m.get("text", "")) <= 2000 for m in zalo_bot_rig.fake.messages)


async def test_everything_through_zalo_oa(zalo_oa_rig: ZaloOaRig) -> None:
    await _everything(zalo_oa_rig.chat, zalo_oa_rig.app)
    quick = [m["message"] for m in zalo_oa_rig.fake.messages if "attachment" in m["message"]]
    assert quick and all(
        b["type"] == "oa.query.hide"
        for m in quick
        for b in m["attachment"]["payload"].get("buttons", [])
    )
    assert all(len(m["message"].get("text", "")) <= 500 for m in zalo_oa_rig.fake.messages)
