"""The texts of scheduled pushes, built from the message catalog (`reminders.*`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.core.clock import fmt_date, fmt_datetime
from bot.core.replies import Button, Text, text
from bot.core.text import fold_words
from bot.messages import Catalog
from bot.messages.numbers import percent
from bot.quiz.views import PersonalProgress, UnitProgress
from bot.scheduler.timing import days_left
from bot.storage.models import Deadline


def when_left(t: Catalog, due_at: datetime, moment: datetime, tz: ZoneInfo) -> str:
    """ "còn 3 ngày", "hôm nay là hạn cuối" or "đã quá hạn" as seen at `moment`."""
    if moment >= due_at:
        return t("reminders.left_overdue")
    days = days_left(due_at, moment, tz)
    return t("reminders.left_today") if days <= 0 else t("reminders.left_days", days=days)


def deadline_reminder(
    t: Catalog, deadline: Deadline, *, at: datetime, tz: ZoneInfo, acked: bool
) -> Text:
    """A reminder of one deadline, with the "Đã nhận" button until the person pressed it."""
    body = t(
        "reminders.reminder",
        left=when_left(t, deadline.due_at, at, tz).capitalize(),
        due=fmt_datetime(deadline.due_at, tz),
        title=deadline.title,
    )
    if deadline.description:
        body += "\n" + deadline.description
    if acked:
        return text(
            body + "\n" + t("reminders.reminder_acked"),
            [Button(t("reminders.open_list"), "cmd:lichhan")],
        )
    return text(
        body,
        [Button(t("reminders.ack_button"), f"ack:{deadline.id}")],
        [Button(t("reminders.open_list"), "cmd:lichhan")],
    )


def overdue_summary(
    t: Catalog, deadline: Deadline, *, unit: str, total: int, acked: int, tz: ZoneInfo
) -> Text:
    """To a unit's managers the day after a deadline: how many of theirs were reminded and
    acknowledged."""
    return Text(
        t(
            "reminders.overdue",
            title=deadline.title,
            due=fmt_datetime(deadline.due_at, tz),
            unit=unit,
            total=total,
            acked=acked,
        )
    )


def tip(t: Catalog, tip_text: str, source_title: str, source_url: str) -> Text:
    """The daily tip, with its source and how to stop."""
    body = t.addressed(tip_text)
    return Text(t("reminders.tip", text=body, source=source_title, url=source_url))


def nudge(t: Catalog, items: Sequence[PersonalProgress], tz: ZoneInfo) -> Text:
    """A personal weekly nudge: each unmet target of the person's unit."""
    lines = [
        t(
            "reminders.nudge_line",
            title=item.title,
            rate=percent(item.unit_rate),
            required=percent(item.required_rate),
            remaining=item.sets_remaining,
            due=fmt_date(item.due_on, tz),
        )
        for item in items
    ]
    return text(
        t("reminders.nudge", lines="\n".join(lines)),
        [Button(t("reminders.nudge_button"), "cmd:kiemtra")],
    )


def manager_summary(t: Catalog, unit: str, items: Sequence[UnitProgress], tz: ZoneInfo) -> Text:
    """A unit manager's weekly summary of the unit's active targets."""
    lines = [
        t(
            "reminders.summary_line",
            title=item.title,
            rate=percent(item.rate),
            required=percent(item.required_rate),
            passed=item.passed,
            headcount=item.headcount,
            registered=item.registered,
            due=fmt_date(item.due_on, tz),
        )
        for item in items
    ]
    return text(
        t("reminders.summary", unit=unit, lines="\n".join(lines)),
        [Button(t("reminders.summary_button"), "cmd:donvi")],
    )


def reason_label(t: Catalog, reason: str) -> str:
    """Why a message was not delivered, in Vietnamese, from the reason stored with it ("blocked",
    "zalo_oa_window", "gave up: 502 Bad Gateway", …); a technical detail stays in brackets."""
    code, _, detail = reason.partition(":")
    key = f"reminders.reason.{code.strip().replace(' ', '_')}"
    if not t.has(key):
        return t("reminders.reason.other", detail=reason)
    return t(key, detail=detail.strip()) if "detail" in t.placeholders(key) else t(key)


def broadcast(t: Catalog, message: str) -> Text:
    """An administrator's announcement under the heading "📢 Thông báo" — once: a message that
    already begins with it (with or without the emoji) is not given a second one."""
    heading = t("reminders.broadcast", text="").strip()  # "📢 Thông báo"
    if not fold_words(message).startswith(fold_words(heading)):
        return Text(t("reminders.broadcast", text=message))
    symbol = heading.split()[0] if heading and not heading[0].isalnum() else ""
    if symbol and not message.startswith(symbol):
        return Text(f"{symbol} {message}")
    return Text(message)
