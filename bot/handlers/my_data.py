"""/dulieucuatoi: everything the bot stores about the person, as a message and a JSON file."""

from __future__ import annotations

from typing import Any

from bot.core.clock import fmt_date, fmt_datetime
from bot.core.context import Context
from bot.core.replies import Document, Reply, Text
from bot.nominations.texts import channel_label
from bot.services.personal_data import export_file


async def show_my_data(ctx: Context) -> list[Reply]:
    """/dulieucuatoi: a summary in words and the full export as a file."""
    t = ctx.t
    tz = ctx.services.settings.tz
    now = ctx.clock.now()
    data = await ctx.services.users.export(ctx.user.id)
    account, profile = data.get("account", {}), data.get("profile", {})
    quiz = data.get("quiz", {})
    nominations = data.get("nominations", {})
    reminders = data.get("reminders", {})
    subscription = reminders.get("tip_subscription") or []
    lines = [
        t("profile.my_data.title", now=fmt_datetime(now, tz)),
        t(
            "profile.my_data.account",
            channel=channel_label(t, str(account.get("channel", ""))),
            platform_id=account.get("platform_id", ""),
            first=fmt_date(account["first_contact_at"], tz) if account else "",
        ),
    ]
    if profile.get("consent_at"):
        lines.append(t("profile.my_data.consent", consent=fmt_datetime(profile["consent_at"], tz)))
    else:
        lines.append(t("profile.my_data.no_consent"))
    if profile.get("full_name"):
        lines.append(
            t(
                "profile.my_data.staff",
                name=profile["full_name"],
                unit=profile.get("unit") or "",
                position=profile.get("position") or "",
            )
        )
    lines += [
        t("profile.my_data.counts", **_counts(data, quiz, nominations, reminders)),
        t(
            "profile.my_data.tips",
            hour=subscription[0]["hour"],
        )
        if subscription
        else t("profile.my_data.no_tips"),
        t("profile.my_data.footer"),
    ]
    file_name = f"du-lieu-cua-toi-{now.astimezone(tz):%Y%m%d}.json"
    return [
        Text("\n".join(lines)),
        Document(
            file_name,
            export_file(data, exported_at=now),
            caption=t("profile.my_data.caption"),
            mime_type="application/json",
        ),
    ]


def _counts(
    data: dict[str, Any],
    quiz: dict[str, Any],
    nominations: dict[str, Any],
    reminders: dict[str, Any],
) -> dict[str, int]:
    return {
        "attempts": len(quiz.get("attempts", [])),
        "nominations": len(nominations.get("nominations", [])),
        "supports": len(nominations.get("supports", [])),
        "questions": len(data.get("unanswered_questions", [])),
        "acks": len(reminders.get("acknowledgements", [])),
        "messages": len(reminders.get("messages", [])),
    }
