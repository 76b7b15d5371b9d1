"""The nomination form's questions, the answers to each, and the review screen before sending."""

from __future__ import annotations

from enum import StrEnum

from bot.core.context import Context
from bot.core.events import EventKind
from bot.core.replies import Button, Reply, Text, text
from bot.core.text import fold_words
from bot.handlers.common import parse_int
from bot.handlers.unit_picker import pick_unit
from bot.messages.numbers import file_size
from bot.nominations import validation
from bot.nominations.details import contact_snapshot
from bot.nominations.drafts import Draft, Field, attachment_record
from bot.nominations.texts import attachment_line, category_label, contact_line
from bot.nominations.types import AttachmentView, Category, Contact, RoundView
from bot.nominations.validation import Checked

NO_UPLOAD_CHANNELS = frozenset({"web", "console"})
"""Channels where people cannot send files (they describe evidence in words instead)."""


class NomStep(StrEnum):
    """Steps of the nomination flow (stored as text: never rename)."""

    RESUME = "nom.resume"
    CATEGORY = "nom.category"
    NAME = "nom.name"
    UNIT = "nom.unit"
    POSITION = "nom.position"
    ACHIEVEMENTS = "nom.achievements"
    RESULTS = "nom.results"
    EVIDENCE = "nom.evidence"
    REVIEW = "nom.review"


STEP_OF = {field: NomStep(f"nom.{field.value}") for field in Field}
FIELD_OF = {step.value: field for field, step in STEP_OF.items()}


def _category(draft: Draft) -> Category:
    return draft.category or Category.PERSON


def ask(ctx: Context, field: Field, draft: Draft, current: RoundView | None = None) -> Text:
    """Go to a question of the form and ask it."""
    t = ctx.t
    ctx.goto(STEP_OF[field])
    kind = _category(draft).value
    if field is Field.CATEGORY:
        allowed = current.categories if current else tuple(Category)
        rows = [[Button(category_label(t, c), f"nom:cat:{c.value}")] for c in allowed]
        return text(t("nominate.ask.category"), *rows)
    if field is Field.NAME:
        return Text(t(f"nominate.ask.name_{kind}"))
    if field is Field.UNIT:
        return Text(t(f"nominate.ask.unit_{kind}", name=draft.nominee_name or ""))
    if field is Field.POSITION:
        return Text(t("nominate.ask.position", name=draft.nominee_name or ""))
    if field is Field.ACHIEVEMENTS:
        low, high = validation.ACHIEVEMENTS
        return Text(t(f"nominate.ask.achievements_{kind}", min=low, max=high))
    if field is Field.RESULTS:
        return text(
            t("nominate.ask.results", max=validation.RESULTS[1]),
            [Button(t("nominate.skip_results"), "nom:skip")],
        )
    return evidence_question(ctx, draft)


def evidence_question(ctx: Context, draft: Draft, lead: str = "") -> Text:
    """Ask for evidence, in the way the person's channel allows."""
    t = ctx.t
    services = ctx.services.nominations
    if ctx.event.channel in NO_UPLOAD_CHANNELS:
        question = t("nominate.ask.evidence_text_only", max=validation.EVIDENCE_NOTE[1])
    else:
        question = t(
            "nominate.ask.evidence",
            files=services.max_attachments,
            mb=services.max_attachment_bytes // (1024 * 1024),
            max=validation.EVIDENCE_NOTE[1],
        )
    rows = [[Button(t("nominate.evidence_done"), "nom:done")]]
    if draft.attachments or draft.evidence_note:
        rows.append([Button(t("nominate.evidence_clear"), "nom:clear")])
    return text(f"{lead}\n\n{question}" if lead else question, *rows)


def _line(ctx: Context, number: int, label_key: str, value: str) -> str:
    return f"{number}. {ctx.t(label_key)}: {value}"


def review_screen(ctx: Context, draft: Draft, lead: str = "") -> Text:
    """Everything entered, with a button to send and one to change each answer."""
    t = ctx.t
    ctx.goto(NomStep.REVIEW)
    kind = _category(draft)
    none = t("nominate.review.none")
    files = [attachment_line(t, AttachmentView(**item)) for item in draft.attachments]
    evidence = t("nominate.review.evidence", files=len(files), note=draft.evidence_note or none)
    lines = [
        _line(ctx, 1, "nominate.label.category", category_label(t, kind)),
        _line(ctx, 2, f"nominate.label.name_{kind.value}", draft.nominee_name or none),
        _line(ctx, 3, "nominate.label.unit", draft.unit_name or none),
    ]
    fields = [Field.CATEGORY, Field.NAME, Field.UNIT]
    if kind is Category.PERSON:
        lines.append(_line(ctx, 4, "nominate.label.position", draft.position or none))
        fields.append(Field.POSITION)
    number = len(lines) + 1
    lines += [
        _line(ctx, number, f"nominate.label.achievements_{kind.value}", draft.achievements or ""),
        _line(ctx, number + 1, "nominate.label.results", draft.results or none),
        _line(ctx, number + 2, "nominate.label.evidence", evidence),
    ] + [f"   • {line}" for line in files]
    fields += [Field.ACHIEVEMENTS, Field.RESULTS, Field.EVIDENCE]
    contact = Contact(**contact_snapshot(ctx.user))
    body = (
        t("nominate.review.title")
        + "\n"
        + "\n".join(lines)
        + "\n"
        + t("nominate.review.nominator", contact=contact_line(t, contact))
        + "\n\n"
        + t("nominate.review.hint")
    )
    rows = [[Button(t("nominate.send"), "nom:send")]]
    rows += [[Button(t(f"nominate.edit.{f.value}"), f"nom:edit:{f.value}")] for f in fields]
    rows.append([Button(t("nominate.discard"), "nom:cancel:ask")])
    return text(f"{lead}\n\n{body}" if lead else body, *rows)


async def advance(ctx: Context, draft: Draft, lead: str = "") -> Reply:
    """The next unanswered question, or the review screen when the form is complete."""
    missing = draft.missing()
    if missing is None:
        return review_screen(ctx, draft, lead)
    question = ask(ctx, missing, draft, await ctx.services.nominations.rounds.current())
    if not lead:
        return question
    return Text(f"{lead}\n\n{question.text}", question.buttons)


def invalid(ctx: Context, checked: Checked, draft: Draft) -> Text:
    """What to fix in an answer, with the question's buttons again (the answer is not kept)."""
    limits = {
        "person": validation.PERSON_NAME,
        "title": validation.TITLE,
        "position": validation.POSITION,
        "achievements": validation.ACHIEVEMENTS,
        "results": validation.RESULTS,
        "evidence": validation.EVIDENCE_NOTE,
    }
    low, high = limits.get((checked.problem or "").split("_")[0], (0, 0))
    message = ctx.t(f"nominate.invalid.{checked.problem}", min=low, max=high)
    field = FIELD_OF.get(ctx.state.step or "")
    return Text(message, ask(ctx, field, draft).buttons if field else ())


async def _keep(ctx: Context, draft: Draft, checked: Checked, name: str) -> Reply:
    """Store a checked answer in the form and go on, or say what to fix."""
    if not checked.ok:
        return invalid(ctx, checked, draft)
    drafts = ctx.services.nominations.drafts
    return await advance(ctx, await drafts.update(ctx.user.id, **{name: checked.value}))


async def on_name(ctx: Context, draft: Draft) -> Reply:
    """The nominee's name or the initiative's title."""
    checked = validation.check_nominee_name(ctx.text, _category(draft))
    return await _keep(ctx, draft, checked, "nominee_name")


async def on_unit_text(ctx: Context, draft: Draft) -> Reply:
    """Part of the nominee's unit's name (the unit typed exactly is taken, and said)."""
    pick = await pick_unit(ctx, ctx.text, "nom:unit:", choose_key="nominate.unit_choose")
    if pick.unit is None:
        assert pick.reply is not None
        return pick.reply
    drafts = ctx.services.nominations.drafts
    updated = await drafts.update(ctx.user.id, unit_id=pick.unit.id, unit_name=pick.unit.name)
    return await advance(ctx, updated, ctx.t("start.unit_taken", unit=pick.unit.name))


async def on_unit_chosen(ctx: Context, value: str) -> Reply:
    """A unit button."""
    unit_id = parse_int(value)
    unit = await ctx.services.units.get(unit_id) if unit_id else None
    if unit is None or ctx.state.step != NomStep.UNIT:
        return Text(ctx.t("common.stale_button"))
    drafts = ctx.services.nominations.drafts
    return await advance(
        ctx, await drafts.update(ctx.user.id, unit_id=unit.id, unit_name=unit.name)
    )


async def on_position(ctx: Context, draft: Draft) -> Reply:
    """The nominee's position."""
    return await _keep(ctx, draft, validation.check_position(ctx.text), "position")


async def on_achievements(ctx: Context, draft: Draft) -> Reply:
    """Achievements, or what the initiative does and for whom."""
    return await _keep(ctx, draft, validation.check_achievements(ctx.text), "achievements")


def typed_one_of(ctx: Context, key: str) -> bool:
    """Whether the person typed one of the catalog's words for a choice ("xong", "bỏ qua")."""
    words = {fold_words(word) for word in ctx.t(key).split("|")}
    return fold_words(ctx.text) in words


async def on_results(ctx: Context, draft: Draft) -> Reply:
    """Measurable results (optional: the skip button, or "bỏ qua" typed, skips)."""
    drafts = ctx.services.nominations.drafts
    if typed_one_of(ctx, "nominate.words.skip"):
        return await advance(ctx, await drafts.update(ctx.user.id, results=None, results_done=True))
    checked = validation.check_results(ctx.text)
    if not checked.ok:
        return invalid(ctx, checked, draft)
    return await advance(
        ctx, await drafts.update(ctx.user.id, results=checked.value, results_done=True)
    )


async def on_evidence(ctx: Context, draft: Draft) -> Reply:
    """A photo or document, or words describing the evidence (a link, where it is kept)."""
    t = ctx.t
    services = ctx.services.nominations
    attachment = ctx.event.attachment
    if ctx.event.kind is EventKind.ATTACHMENT and attachment is not None:
        kind_key = f"nominate.file_kind.{attachment.kind}"
        name = attachment.file_name or (t(kind_key) if t.has(kind_key) else attachment.kind)
        if attachment.size and attachment.size > services.max_attachment_bytes:
            return evidence_question(
                ctx,
                draft,
                t(
                    "nominate.file_too_big",
                    name=name,
                    size=file_size(attachment.size),
                    mb=services.max_attachment_bytes // 1048576,
                ),
            )
        updated = await services.drafts.add_attachment(
            ctx.user.id,
            attachment_record(ctx.event.channel, attachment),
            limit=services.max_attachments,
        )
        if updated is None:
            return evidence_question(
                ctx, draft, t("nominate.files_full", max=services.max_attachments)
            )
        return evidence_question(
            ctx,
            updated,
            t(
                "nominate.file_received",
                name=name,
                count=len(updated.attachments),
                max=services.max_attachments,
            ),
        )
    if typed_one_of(ctx, "nominate.words.done"):
        return await advance(ctx, await services.drafts.update(ctx.user.id, evidence_done=True))
    checked = validation.check_evidence_note(ctx.text, draft.evidence_note)
    if not checked.ok:
        return evidence_question(ctx, draft, invalid(ctx, checked, draft).text)
    updated = await services.drafts.update(ctx.user.id, evidence_note=checked.value)
    return evidence_question(ctx, updated, t("nominate.note_received"))


async def repeat(ctx: Context, draft: Draft, lead: str = "") -> Reply:
    """The question of the step the person is at, again (after a hint or a change of mind)."""
    field = FIELD_OF.get(ctx.state.step or "")
    if field is None:
        return await advance(ctx, draft, lead)
    if field is Field.EVIDENCE:
        return evidence_question(ctx, draft, lead)
    question = ask(ctx, field, draft, await ctx.services.nominations.rounds.current())
    return Text(f"{lead}\n\n{question.text}" if lead else question.text, question.buttons)
