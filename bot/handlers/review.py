"""/duyetdecu and /xuatdecu: the emulation council reviews nominations in chat and exports them.

Only council members and administrators reach these handlers (the router checks `Need.COUNCIL`).
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.clock import fmt_datetime
from bot.core.context import Context
from bot.core.replies import XLSX_MIME, Button, Document, Image, Reply, Text, text
from bot.handlers.common import parse_int
from bot.nominations import validation
from bot.nominations.details import actor_label
from bot.nominations.notices import decision_notices
from bot.nominations.review import DecisionResult, Verdict
from bot.nominations.texts import (
    attachment_line,
    category_label,
    channel_label,
    contact_line,
    history_line,
    status_label,
    supporter_line,
)
from bot.nominations.types import Decision, NominationDetail, Status


class ReviewStep(StrEnum):
    """Steps of the review (stored as text: never rename)."""

    REASON = "rev.reason"


SKIPPED = "review_skipped"
"""State data: nominations the reviewer put off ("Để sau") in this pass through the queue."""


def _browse(ctx: Context, skipped: list[int]) -> None:
    """Leave any flow (so typed text is free text again), remembering what was put off."""
    ctx.finish()
    ctx.state.data[SKIPPED] = skipped


def _detail_text(ctx: Context, item: NominationDetail) -> str:
    t = ctx.t
    tz = ctx.services.settings.tz
    none = t("nominate.review.none")
    body = t(
        "review.detail",
        code=item.code,
        status=status_label(t, item.status),
        round=item.round_name,
        category=category_label(t, item.category),
        name_label=t(f"nominate.label.name_{item.category.value}"),
        name=item.nominee_name,
        unit=item.unit_name,
        position=item.position or none,
        achievements_label=t(f"nominate.label.achievements_{item.category.value}"),
        achievements=item.achievements,
        results=item.results or none,
        evidence_note=item.evidence_note or none,
        files=len(item.attachments),
        contact=contact_line(t, item.contact),
        date=fmt_datetime(item.submitted_at, tz),
    )
    body += "".join(f"\n   • {attachment_line(t, a)}" for a in item.attachments)
    if item.history:
        body += (
            "\n"
            + t("review.history")
            + "".join(f"\n• {history_line(t, entry, tz)}" for entry in item.history)
        )
    return body


def show(
    ctx: Context, item: NominationDetail, waiting: int | None = None, lead: str = ""
) -> list[Reply]:
    """A nomination in full, its supporters, and the decision buttons."""
    t = ctx.t
    tz = ctx.services.settings.tz
    replies: list[Reply] = [Text((lead + "\n\n" if lead else "") + _detail_text(ctx, item))]
    if item.supporters:
        replies.append(
            Text(
                t("review.supporters", count=len(item.supporters))
                + "\n\n"
                + "\n\n".join(supporter_line(t, i, s, tz) for i, s in enumerate(item.supporters, 1))
            )
        )
    ending = t("review.waiting", count=waiting) + "\n" if waiting else ""
    replies.append(_decision(ctx, item, ending))
    return replies


def _decision(ctx: Context, item: NominationDetail, ending: str = "") -> Text:
    """The question of the decision, its buttons, and the evidence files to look at first."""
    t = ctx.t
    status = item.status.value
    rows = [
        [Button(t("review.approve"), f"rev:{Decision.APPROVE.value}:{item.id}:{status}")],
        [Button(t("review.reject"), f"rev:{Decision.REJECT.value}:{item.id}:{status}")],
        [Button(t("review.more_info"), f"rev:{Decision.MORE_INFO.value}:{item.id}:{status}")],
        [Button(t("review.later"), f"rev:skip:{item.id}")],
    ]
    if item.attachments:
        rows.insert(
            0, [Button(t("review.show_files", count=len(item.attachments)), f"rev:files:{item.id}")]
        )
    return text(ending + t("review.choose"), *rows)


def evidence(ctx: Context, item: NominationDetail) -> list[Reply]:
    """The nomination's evidence files themselves, sent back through the channel: by the file's
    own handle on the channel it was sent on, by its link anywhere; a file held by another
    channel (a Telegram file seen from Zalo) is named with where to open it."""
    t = ctx.t
    here = ctx.event.channel
    files: list[Reply] = []
    elsewhere: list[str] = []
    for attachment in item.attachments:
        caption = attachment_line(t, attachment)
        linked = attachment.ref.startswith(("https://", "http://"))
        if attachment.channel != here and not linked:
            elsewhere.append(
                t(
                    "review.file_elsewhere",
                    file=caption,
                    channel=channel_label(t, attachment.channel),
                )
            )
        elif attachment.kind == "photo":
            files.append(Image(caption=caption, url=attachment.ref))
        else:
            files.append(
                Document(
                    file_name=attachment.file_name or t("nominate.file_kind.document"),
                    url=attachment.ref,
                    caption=caption,
                    mime_type=attachment.mime_type or "application/octet-stream",
                )
            )
    lead = [Text("\n".join(elsewhere))] if elsewhere else []
    return [*files, *lead, _decision(ctx, item)]


async def _next(ctx: Context, skipped: list[int], lead: str = "") -> list[Reply]:
    item, waiting = await ctx.services.nominations.review.next_pending(skip=skipped)
    _browse(ctx, skipped)
    if item is None:
        key = "review.queue_done_skipped" if skipped else "review.queue_empty"
        message = ctx.t(key, count=len(skipped))
        return [Text(f"{lead}\n\n{message}" if lead else message)]
    return show(ctx, item, waiting, lead)


async def start(ctx: Context) -> list[Reply]:
    """/duyetdecu [MÃ]: the oldest pending nomination, or the one with that code."""
    code = ctx.event.args.strip()
    if code:
        item = await ctx.services.nominations.review.by_code(code)
        if item is None:
            return [Text(ctx.t("review.unknown_code", code=code[:30]))]
        _browse(ctx, [])
        return show(ctx, item)
    return await _next(ctx, [])


async def on_action(ctx: Context) -> list[Reply]:
    """rev:<decision>:<id>:<status seen> asks for the reason; rev:skip:<id> shows the next."""
    t = ctx.t
    kind, raw_id, seen = (ctx.action_args + ["", "", ""])[:3]
    nomination_id = parse_int(raw_id)
    skipped = [i for i in ctx.state.data.get(SKIPPED, []) if isinstance(i, int)]
    if nomination_id is None:
        return [Text(t("common.stale_button"))]
    if kind == "skip":
        return await _next(ctx, skipped + [nomination_id])
    if kind == "files":
        found = await ctx.services.nominations.review.detail(nomination_id)
        return evidence(ctx, found) if found else [Text(t("common.stale_button"))]
    decision = next((d for d in Decision if d.value == kind), None)
    expected = next((s for s in Status if s.value == seen), None)
    item = await ctx.services.nominations.review.detail(nomination_id)
    if decision is None or expected is None or item is None:
        return [Text(t("common.stale_button"))]
    if item.status is not expected:  # decided since these buttons were shown: ask nothing
        _browse(ctx, skipped)
        lead = t(
            "review.decided_already",
            code=item.code,
            last=_last_change(ctx, item),
            status=status_label(t, item.status),
        )
        return show(ctx, item, lead=lead)
    ctx.start_flow(
        ReviewStep.REASON,
        nomination_id=nomination_id,
        decision=decision.value,
        expected=expected.value,
        **{SKIPPED: skipped},
    )
    return [
        Text(
            t(
                f"review.ask_reason_{decision.value}",
                code=item.code,
                min=validation.REASON[0],
                max=validation.REASON[1],
            )
        )
    ]


async def on_reason(ctx: Context) -> list[Reply]:
    """The reason: record the decision, tell the nominators, and show the next nomination."""
    t = ctx.t
    data = ctx.state.data
    checked = validation.check_reason(ctx.text)
    if not checked.ok:
        return [
            Text(
                t(
                    f"nominate.invalid.{checked.problem}",
                    min=validation.REASON[0],
                    max=validation.REASON[1],
                )
            )
        ]
    assert checked.value is not None
    decision = Decision(data["decision"])
    result = await ctx.services.nominations.review.decide(
        int(data["nomination_id"]),
        decision=decision,
        reason=checked.value,
        reviewer_id=ctx.user.id,
        reviewer_label=actor_label(ctx.user),
        expected=Status(data["expected"]),
    )
    skipped = list(data.get(SKIPPED, []))
    if result.verdict is Verdict.NOT_FOUND:
        return await _next(ctx, skipped, t("common.stale_button"))
    if result.verdict is Verdict.CHANGED:
        item = await ctx.services.nominations.review.detail(int(data["nomination_id"]))
        _browse(ctx, skipped)
        lead = t(
            "review.changed",
            code=result.code,
            last=_last_change(ctx, item) if item else "",
            status=status_label(t, result.status or Status.PENDING),
        )
        return show(ctx, item, lead=lead) if item else [Text(lead)]
    _notify(ctx, int(data["nomination_id"]), decision, checked.value, result)
    lead = t(
        "review.recorded",
        code=result.code,
        status=status_label(t, decision.status),
        reason=checked.value,
        count=len(result.recipients),
    )
    return await _next(ctx, skipped, lead)


def _last_change(ctx: Context, item: NominationDetail) -> str:
    """The latest line of a nomination's history (when, what, who), said without guessing."""
    if not item.history:
        return status_label(ctx.t, item.status)
    return history_line(ctx.t, item.history[-1], ctx.services.settings.tz)


def _notify(
    ctx: Context, nomination_id: int, decision: Decision, reason: str, result: DecisionResult
) -> None:
    """Tell the nominator and every supporter, each on their own channel."""
    ctx.notices.extend(decision_notices(ctx.t, nomination_id, decision, reason, result))


async def export(ctx: Context) -> Reply:
    """/xuatdecu [MÃ_ĐỢT]: the round's spreadsheet (the open round, else the latest)."""
    t = ctx.t
    services = ctx.services.nominations
    code = ctx.event.args.strip()
    found = await services.rounds.get(code) if code else await services.rounds.latest()
    if found is None:
        return Text(
            t("review.export_no_round", code=code[:30]) if code else t("review.export_none")
        )
    exported = await services.export_xlsx(found.code)
    assert exported is not None
    _, data = exported
    return Document(
        file_name=f"de-cu-{found.code}.xlsx",
        data=data,
        mime_type=XLSX_MIME,
        caption=t("review.export_caption", round=found.name),
    )
