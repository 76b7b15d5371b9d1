"""/decu: the guided nomination form — start or resume, buttons, cancel, and sending."""

from __future__ import annotations

from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.events import EventKind
from bot.core.replies import Button, Reply, Text, text
from bot.handlers import nominate_form as form
from bot.handlers.nominate_form import NomStep
from bot.nominations import validation
from bot.nominations.drafts import Draft, Field
from bot.nominations.service import Outcome
from bot.nominations.texts import category_label
from bot.nominations.types import Category, RoundView, category_of


def no_round_message(ctx: Context, upcoming: RoundView | None) -> str:
    """Nominations are closed: when the next round opens, or that none is scheduled."""
    tz = ctx.services.settings.tz
    if upcoming is None:
        return ctx.t("nominate.no_round")
    return ctx.t(
        "nominate.no_round_next",
        round=upcoming.name,
        opens=fmt_date(upcoming.opens_on, tz),
        closes=fmt_date(upcoming.closes_on, tz),
    )


async def start(ctx: Context) -> Reply | list[Reply]:
    """/decu and the menu's "Gửi đề cử": begin a nomination, or offer to resume the unfinished
    one."""
    t = ctx.t
    services = ctx.services.nominations
    current = await services.rounds.current()
    draft = await services.drafts.get(ctx.user.id)
    if current is None:
        ctx.finish()
        message = no_round_message(ctx, await services.rounds.upcoming())
        return Text(message + ("\n\n" + t("nominate.draft_kept") if draft else ""))
    if draft is not None and draft != Draft():
        ctx.start_flow(NomStep.RESUME)
        summary = draft.nominee_name or (
            category_label(t, draft.category) if draft.category else t("nominate.review.none")
        )
        return text(
            t("nominate.resume", summary=summary),
            [Button(t("nominate.resume_yes"), "nom:resume")],
            [Button(t("nominate.resume_new"), "nom:restart")],
        )
    return await _fresh(ctx, current)


async def resume(ctx: Context) -> Reply | list[Reply]:
    """/tieptuc during the form: the question it is waiting for (or the review screen)."""
    draft = await ctx.services.nominations.drafts.get(ctx.user.id)
    if ctx.state.step == NomStep.RESUME or draft is None:
        return await start(ctx)
    return await form.advance(ctx, draft)


async def _fresh(ctx: Context, current: RoundView) -> list[Reply]:
    draft = await ctx.services.nominations.drafts.start(ctx.user.id)
    ctx.start_flow(NomStep.CATEGORY)
    tz = ctx.services.settings.tz
    intro = ctx.t("nominate.intro", round=current.name, closes=fmt_date(current.closes_on, tz))
    return [Text(intro), form.ask(ctx, Field.CATEGORY, draft, current)]


async def on_action(ctx: Context) -> Reply | list[Reply]:
    """Buttons nom:* of the form."""
    args = ctx.action_args
    kind, value = (args + ["", ""])[:2]
    services = ctx.services.nominations
    if kind == "restart" and ctx.state.step == NomStep.RESUME:
        current = await services.rounds.current()
        if current is None:
            return Text(no_round_message(ctx, await services.rounds.upcoming()))
        return await _fresh(ctx, current)
    draft = await services.drafts.get(ctx.user.id)
    if draft is None or not (ctx.state.step or "").startswith("nom."):
        return Text(ctx.t("common.stale_button"))
    if kind == "resume":
        return await form.advance(ctx, draft)
    if kind == "cancel":
        return await _on_cancel_button(ctx, value, draft)
    if kind == "cat" and ctx.state.step == NomStep.CATEGORY:
        return await _on_category(ctx, draft, value)
    if kind == "unit":
        return await form.on_unit_chosen(ctx, value)
    if kind == "skip" and ctx.state.step == NomStep.RESULTS:
        return await form.advance(
            ctx, await services.drafts.update(ctx.user.id, results=None, results_done=True)
        )
    if kind == "done" and ctx.state.step == NomStep.EVIDENCE:
        return await form.advance(
            ctx, await services.drafts.update(ctx.user.id, evidence_done=True)
        )
    if kind == "clear" and ctx.state.step == NomStep.EVIDENCE:
        cleared = await services.drafts.update(ctx.user.id, attachments=(), evidence_note=None)
        return form.evidence_question(ctx, cleared, ctx.t("nominate.evidence_cleared"))
    if kind == "edit" and ctx.state.step == NomStep.REVIEW and value in {f.value for f in Field}:
        return await _edit(ctx, draft, Field(value))
    if kind == "send" and ctx.state.step == NomStep.REVIEW:
        return await _send(ctx, draft)
    return Text(ctx.t("common.stale_button"))


async def _edit(ctx: Context, draft: Draft, field: Field) -> Reply:
    if field is Field.EVIDENCE:
        ctx.goto(NomStep.EVIDENCE)
        return form.evidence_question(ctx, draft)
    if field is Field.POSITION and draft.category is not Category.PERSON:
        return form.review_screen(ctx, draft)
    return form.ask(ctx, field, draft, await ctx.services.nominations.rounds.current())


async def _on_category(ctx: Context, draft: Draft, value: str) -> Reply:
    category = category_of(value)
    current = await ctx.services.nominations.rounds.current()
    if category is None or (current is not None and category not in current.categories):
        return Text(ctx.t("common.stale_button"))
    changes: dict[str, object] = {"category": category}
    if category is not Category.PERSON:
        changes["position"] = None
    if (
        draft.nominee_name is not None
        and not validation.check_nominee_name(draft.nominee_name, category).ok
    ):
        changes["nominee_name"] = None
    updated = await ctx.services.nominations.drafts.update(ctx.user.id, **changes)
    return await form.advance(ctx, updated)


async def _send(ctx: Context, draft: Draft) -> Reply:
    t = ctx.t
    services = ctx.services.nominations
    result = await services.submit(ctx.user)
    name = draft.nominee_name or ""
    if result.outcome is Outcome.CREATED:
        ctx.finish()
        return Text(t("nominate.sent", code=result.code, name=name))
    if result.outcome is Outcome.JOINED:
        ctx.finish()
        return Text(t("nominate.joined", code=result.code, name=name))
    if result.outcome is Outcome.ALREADY:
        return form.review_screen(ctx, draft, t("nominate.already", code=result.code, name=name))
    if result.outcome is Outcome.NO_ROUND:
        return Text(no_round_message(ctx, result.next_round) + "\n\n" + t("nominate.draft_kept"))
    if result.outcome is Outcome.CATEGORY_CLOSED and result.round is not None:
        lead = t(
            "nominate.category_closed",
            round=result.round.name,
            category=category_label(t, draft.category or Category.PERSON),
        )
        question = form.ask(ctx, Field.CATEGORY, draft, result.round)
        return Text(f"{lead}\n\n{question.text}", question.buttons)
    return await form.advance(ctx, draft)


async def on_input(ctx: Context) -> Reply | list[Reply]:
    """Anything typed or sent while the person is in the nomination flow."""
    draft = await ctx.services.nominations.drafts.get(ctx.user.id)
    if draft is None:
        ctx.finish()
        return Text(ctx.t("nominate.draft_gone"))
    step = ctx.state.step
    if ctx.event.kind is EventKind.ATTACHMENT and step != NomStep.EVIDENCE:
        return await form.repeat(ctx, draft, ctx.t("nominate.file_not_now"))
    handlers = {
        NomStep.NAME: form.on_name,
        NomStep.UNIT: form.on_unit_text,
        NomStep.POSITION: form.on_position,
        NomStep.ACHIEVEMENTS: form.on_achievements,
        NomStep.RESULTS: form.on_results,
        NomStep.EVIDENCE: form.on_evidence,
    }
    handler = handlers.get(NomStep(step)) if step in {s.value for s in NomStep} else None
    if handler is not None:
        return await handler(ctx, draft)
    if step == NomStep.RESUME:
        return text(
            ctx.t("nominate.resume_hint"),
            [Button(ctx.t("nominate.resume_yes"), "nom:resume")],
            [Button(ctx.t("nominate.resume_new"), "nom:restart")],
        )
    return await form.repeat(ctx, draft, ctx.t("nominate.use_buttons"))


async def on_cancel(ctx: Context) -> Reply:
    """/huy inside the flow: ask before throwing the unfinished nomination away."""
    return _cancel_question(ctx)


def _cancel_question(ctx: Context) -> Text:
    t = ctx.t
    return text(
        t("nominate.cancel_confirm"),
        [Button(t("nominate.cancel_yes"), "nom:cancel:yes")],
        [Button(t("nominate.cancel_no"), "nom:cancel:no")],
    )


async def _on_cancel_button(ctx: Context, value: str, draft: Draft) -> Reply:
    if value == "ask":
        return _cancel_question(ctx)
    if value == "yes":
        await ctx.services.nominations.drafts.discard(ctx.user.id)
        ctx.finish()
        return Text(ctx.t("nominate.cancelled"))
    if ctx.state.step == NomStep.RESUME:
        return await form.advance(ctx, draft, ctx.t("nominate.continue"))
    return await form.repeat(ctx, draft, ctx.t("nominate.continue"))
