"""/decucuatoi: a person's own nominations and their status, and adding information when the
council asks for it. Nobody sees anything here but what they wrote themselves."""

from __future__ import annotations

from enum import StrEnum

from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.events import EventKind
from bot.core.replies import Button, Reply, Text, text
from bot.handlers.common import parse_int
from bot.handlers.nominate_form import NO_UPLOAD_CHANNELS
from bot.messages.numbers import file_size
from bot.nominations import validation
from bot.nominations.drafts import attachment_record
from bot.nominations.texts import action_label, category_label, status_label
from bot.nominations.types import OwnNomination, Status

SHOWN = 10


class MyNomStep(StrEnum):
    """Steps of adding information (stored as text: never rename)."""

    MORE = "mynom.more"


async def show_mine(ctx: Context) -> Reply:
    """/decucuatoi: the person's nominations, newest first, with their status."""
    t = ctx.t
    tz = ctx.services.settings.tz
    mine = await ctx.services.nominations.mine(ctx.user.id, limit=SHOWN)
    if not mine:
        return Text(t("nominate.mine_empty"))
    lines = [t("nominate.mine_title")]
    rows: list[list[Button]] = []
    for index, item in enumerate(mine, 1):
        key = "nominate.mine_line_supporter" if item.as_supporter else "nominate.mine_line"
        lines.append(
            t(
                key,
                index=index,
                code=item.code,
                name=item.nominee_name,
                category=category_label(t, item.category),
                status=status_label(t, item.status),
                date=fmt_date(item.at, tz),
            )
        )
        rows.append([Button(t("nominate.mine_view", code=item.code), f"mynom:view:{item.id}")])
        if item.status is Status.MORE_INFO:
            rows.append(
                [Button(t("nominate.more_button", code=item.code), f"mynom:more:{item.id}")]
            )
    return text("\n".join(lines), *rows)


def own_detail(ctx: Context, item: OwnNomination) -> Text:
    """One of the person's own nominations, as they wrote it, with the council's decisions."""
    t = ctx.t
    tz = ctx.services.settings.tz
    none = t("nominate.review.none")
    body = t(
        "nominate.own_detail",
        code=item.code,
        round=item.round_name,
        category=category_label(t, item.category),
        name=item.nominee_name,
        unit=item.unit_name,
        position=item.position or none,
        text=item.text,
        results=item.results or none,
        status=status_label(t, item.status),
        date=fmt_date(item.at, tz),
    )
    if item.as_supporter:
        body += "\n" + t("nominate.own_as_supporter")
    for decision in item.decisions:
        body += "\n" + t(
            "nominate.own_decision",
            date=fmt_date(decision.at, tz),
            action=action_label(t, decision.action),
            reason=decision.note or "",
        )
    if item.status is Status.MORE_INFO:
        return text(
            body, [Button(t("nominate.more_button", code=item.code), f"mynom:more:{item.id}")]
        )
    return Text(body)


async def on_action(ctx: Context) -> Reply:
    """mynom:view:<id> and mynom:more:<id> — only for the person's own nominations."""
    t = ctx.t
    kind, value = (ctx.action_args + ["", ""])[:2]
    nomination_id = parse_int(value)
    item = await ctx.services.nominations.own(ctx.user.id, nomination_id) if nomination_id else None
    if item is None or kind not in {"view", "more"}:
        return Text(t("nominate.not_yours"))
    if kind == "view":
        return own_detail(ctx, item)
    if item.status is not Status.MORE_INFO:
        return Text(
            t("nominate.more_not_needed", code=item.code, status=status_label(t, item.status))
        )
    asked = next((d.note for d in reversed(item.decisions) if d.note), "")
    ctx.start_flow(MyNomStep.MORE, nomination_id=item.id, code=item.code, files=[])
    key = (
        "nominate.more_question_text_only"
        if ctx.event.channel in NO_UPLOAD_CHANNELS
        else "nominate.more_question"
    )
    return Text(
        t(
            key,
            code=item.code,
            asked=asked,
            min=validation.SUPPLEMENT[0],
            max=validation.SUPPLEMENT[1],
        )
    )


async def on_more_input(ctx: Context) -> Reply:
    """What the person adds: files are kept until the words arrive, which send it all."""
    t = ctx.t
    services = ctx.services.nominations
    data = ctx.state.data
    files = list(data.get("files") or [])
    attachment = ctx.event.attachment
    if ctx.event.kind is EventKind.ATTACHMENT and attachment is not None:
        if attachment.size and attachment.size > services.max_attachment_bytes:
            return Text(
                t(
                    "nominate.file_too_big",
                    name=attachment.file_name or "",
                    size=file_size(attachment.size),
                    mb=services.max_attachment_bytes // 1048576,
                )
            )
        if len(files) >= services.max_attachments:
            return Text(t("nominate.files_full", max=services.max_attachments))
        files.append(attachment_record(ctx.event.channel, attachment))
        ctx.goto(MyNomStep.MORE, files=files)
        return Text(t("nominate.more_file_received", count=len(files)))
    checked = validation.check_supplement(ctx.text)
    if not checked.ok:
        return Text(
            t(
                f"nominate.invalid.{checked.problem}",
                min=validation.SUPPLEMENT[0],
                max=validation.SUPPLEMENT[1],
            )
        )
    assert checked.value is not None
    item = await services.supplement(
        ctx.user, int(data.get("nomination_id", 0)), checked.value, files
    )
    ctx.finish()
    if item is None:
        return Text(t("nominate.more_not_needed_any", code=data.get("code", "")))
    return Text(t("nominate.more_sent", code=item.code))
