"""/lichhan (a person's deadlines), the "Đã nhận" button, and /nhantin, /huynhantin (the daily
tip)."""

from __future__ import annotations

import re
from enum import StrEnum

from bot.core.clock import fmt_datetime
from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, buttons_in_rows, text
from bot.core.text import fold_words, shorten
from bot.handlers.common import parse_int
from bot.scheduler.compose import when_left
from bot.scheduler.tips import QuietHour

SUGGESTED_HOURS = (7, 8, 12, 17, 20)
MAX_ACK_BUTTONS = 5
_HOUR = re.compile(r"^(\d{1,2})(?: ?(?:h|g|gio))?(?: ?(\d{2}))?(?: ?(sang|trua|chieu|toi))?$")


class TipStep(StrEnum):
    """Steps of the daily-tip subscription (stored as text: never renumber)."""

    HOUR = "tips.hour"


async def show_deadlines(ctx: Context) -> Reply:
    """/lichhan: the person's upcoming deadlines, and the daily-tip subscription."""
    t = ctx.t
    tz = ctx.services.settings.tz
    reminders = ctx.services.reminders
    upcoming = await reminders.deadlines.upcoming_for(ctx.user.id)
    now = ctx.clock.now()
    if upcoming:
        parts = [t("reminders.list_title")]
        for item in upcoming:
            entry = t(
                "reminders.list_item",
                title=item.deadline.title,
                due=fmt_datetime(item.deadline.due_at, tz),
                left=when_left(t, item.deadline.due_at, now, tz),
            )
            parts.append(entry + ("\n" + t("reminders.list_item_acked") if item.acked else ""))
        body = "\n".join(parts)
    else:
        body = t("reminders.list_empty")
    hour = await reminders.tips.hour_of(ctx.user.id)
    body += "\n\n" + (
        t("reminders.list_tips_on", hour=hour) if hour is not None else t("reminders.list_tips_off")
    )
    rows = [
        [
            Button(
                t("reminders.list_ack_button", title=shorten(item.deadline.title, 40)),
                f"ack:{item.deadline.id}",
            )
        ]
        for item in upcoming
        if not item.acked
    ][:MAX_ACK_BUTTONS]
    if hour is None:
        rows.append([Button(t("reminders.tips_on_button"), "tip:ask")])
    else:
        rows += [
            [Button(t("reminders.tips_change_button"), "tip:ask")],
            [Button(t("reminders.tips_off_button"), "tip:off")],
        ]
    ctx.finish()
    return text(body, *rows)


async def on_ack(ctx: Context) -> Reply:
    """The "Đã nhận" button under a reminder: ack:<deadline id>."""
    t = ctx.t
    deadline_id = parse_int(ctx.action_args[0]) if ctx.action_args else None
    outcome = (
        await ctx.services.reminders.deadlines.acknowledge(ctx.user.id, deadline_id)
        if deadline_id
        else None
    )
    if outcome is None:
        return Text(t("common.stale_button"))
    deadline = outcome.deadline
    if deadline.cancelled:
        return Text(t("reminders.ack_cancelled", title=deadline.title))
    key = "reminders.ack_done" if outcome.new else "reminders.ack_again"
    return Text(
        t(key, title=deadline.title, due=fmt_datetime(deadline.due_at, ctx.services.settings.tz))
    )


async def subscribe_tips(ctx: Context) -> Reply:
    """/nhantin [giờ]: subscribe to the daily tip, at a given hour or after asking."""
    if ctx.event.args.strip():
        return await _subscribe(ctx, ctx.event.args)
    return await _ask_hour(ctx)


async def unsubscribe_tips(ctx: Context) -> Reply:
    """/huynhantin: stop the daily tip."""
    ctx.finish()
    removed = await ctx.services.reminders.tips.unsubscribe(ctx.user.id)
    return Text(ctx.t("reminders.unsub_done" if removed else "reminders.unsub_none"))


async def on_tip_action(ctx: Context) -> Reply:
    """Buttons tip:ask, tip:hour:<h>, tip:off."""
    args = ctx.action_args
    if args[:1] == ["ask"]:
        return await _ask_hour(ctx)
    if args[:1] == ["off"]:
        return await unsubscribe_tips(ctx)
    if args[:1] == ["hour"] and len(args) == 2:
        if ctx.state.step != TipStep.HOUR:  # a button of an old question: change nothing
            return await _stale_hour_button(ctx)
        return await _subscribe(ctx, args[1])
    return Text(ctx.t("common.stale_button"))


async def _stale_hour_button(ctx: Context) -> Reply:
    """Say that an old hour button changed nothing, and what the subscription is now."""
    t = ctx.t
    hour = await ctx.services.reminders.tips.hour_of(ctx.user.id)
    now = t("reminders.list_tips_on", hour=hour) if hour is not None else t("reminders.sub_none")
    return Text(t("reminders.sub_stale_button", now=now))


async def on_hour_text(ctx: Context) -> Reply:
    """The person typed the hour they want the tip at."""
    return await _subscribe(ctx, ctx.text)


async def _ask_hour(ctx: Context) -> Reply:
    t = ctx.t
    tips = ctx.services.reminders.tips
    current = await tips.hour_of(ctx.user.id)
    hours = tips.hours
    ctx.start_flow(TipStep.HOUR)
    buttons = [
        Button(
            t(
                "reminders.sub_default_button"
                if hour == tips.default_hour
                else "reminders.sub_hour_button",
                hour=hour,
            ),
            f"tip:hour:{hour}",
        )
        for hour in SUGGESTED_HOURS
        if hour in hours
    ]
    if current is None:
        lead = t("reminders.sub_ask_hour", first=f"{hours[0]}:00", last=f"{hours[-1]}:00")
    else:
        lead = t(
            "reminders.sub_current", hour=current, first=f"{hours[0]}:00", last=f"{hours[-1]}:00"
        )
    return text(lead, *buttons_in_rows(buttons, 3))


async def _subscribe(ctx: Context, typed: str) -> Reply:
    t = ctx.t
    tips = ctx.services.reminders.tips
    hours = tips.hours
    hour = parse_hour(typed)
    first, last = f"{hours[0]}:00", f"{hours[-1]}:00"
    if hour is None:
        ctx.goto(TipStep.HOUR)
        question = await _ask_hour(ctx)
        return Text(
            t("reminders.sub_bad_hour", typed=typed.strip()[:20], first=first, last=last),
            question.buttons,
        )
    before = await tips.hour_of(ctx.user.id)
    try:
        subscribed = await tips.subscribe(ctx.user.id, hour)
    except QuietHour:
        question = await _ask_hour(ctx)
        settings = ctx.services.settings
        return Text(
            t(
                "reminders.sub_quiet_hour",
                quiet_start=settings.quiet_hours_start,
                quiet_end=settings.quiet_hours_end,
                first=first,
                last=last,
            ),
            question.buttons,
        )
    ctx.finish()
    today = (
        subscribed.next_at.astimezone(ctx.services.settings.tz).date()
        == ctx.clock.now().astimezone(ctx.services.settings.tz).date()
    )
    if before is None:
        key = "reminders.sub_done_today" if today else "reminders.sub_done"
    elif before == subscribed.hour:
        key = "reminders.sub_same"
    else:
        key = "reminders.sub_changed_today" if today else "reminders.sub_changed"
    return Text(t(key, hour=subscribed.hour, old=before))


def parse_hour(typed: str) -> int | None:
    """ "8", "8h", "08:00", "5 giờ chiều" → the hour of the day; None if not an hour."""
    folded = fold_words(typed)  # "08:00" → "08 00", "5 giờ chiều" → "5 gio chieu"
    match = _HOUR.match(folded)
    if match is None:
        return None
    hour, minutes, part = int(match.group(1)), match.group(2), match.group(3)
    if minutes not in (None, "00") or hour > 23:
        return None
    if part in ("chieu", "toi") and hour < 12:
        hour += 12
    return hour
