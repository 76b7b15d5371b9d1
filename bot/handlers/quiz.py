"""/kiemtra: choose a set, answer one question at a time, see the result.

Button actions (≤ 64 bytes, ASCII):
  quiz:s:<set>            choose a set          quiz:m:<set>:<c|p>   counted or practice
  quiz:a:<id>:<q>:<opt>   answer                quiz:r:<id> resume   quiz:x:<id> abandon
The attempt lives in the database; the conversation only remembers which one is open.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, Toast, text
from bot.handlers.common import parse_int
from bot.handlers.quiz_render import (
    after_result_buttons,
    feedback_reply,
    question_reply,
    result_replies,
)
from bot.messages.numbers import percent
from bot.quiz.outcomes import AnswerOutcome, Outcome


class QuizStep(StrEnum):
    """Steps of the quiz flow (stored as text: never renumber)."""

    ANSWER = "quiz.answer"


async def show_sets(ctx: Context) -> Reply | list[Reply]:
    """/kiemtra: the open attempt to resume, or the sets to choose from."""
    t = ctx.t
    quiz = ctx.services.quiz.attempts
    current = await quiz.current(ctx.user.id)
    if current is not None:
        return _busy(ctx, current.attempt_id, current.set_title, current.index, current.total)
    ctx.finish()
    sets = quiz.sets()
    if not sets:
        return Text(t("quiz.no_sets"))
    count = min(bank.questions_per_attempt for bank in sets)
    rows = [
        [Button(t("quiz.set_button", title=bank.title), f"quiz:s:{bank.slug}")] for bank in sets
    ]
    lead = t("quiz.choose_set", count=count, seconds=ctx.services.settings.quiz_question_seconds)
    if not ctx.user.is_staff:
        lead = f"{t('quiz.citizen_practice_note')}\n\n{lead}"
    return text(lead, *rows)


async def on_quiz_action(ctx: Context) -> Reply | list[Reply]:
    """Every quiz:* button."""
    args = ctx.action_args
    kind = args[0] if args else ""
    if kind == "s" and len(args) == 2:
        return await _choose_set(ctx, args[1])
    if kind == "m" and len(args) == 3 and args[2] in ("c", "p"):
        return await _start(ctx, args[1], practice=args[2] == "p")
    attempt_id = parse_int(args[1]) if len(args) > 1 else None
    if kind == "a" and len(args) == 4 and attempt_id is not None:
        index, option = parse_int(args[2]), parse_int(args[3])
        if index is not None and option is not None:
            outcome = await ctx.services.quiz.attempts.answer(
                ctx.user.id, attempt_id, index, option
            )
            return await _after_answer(ctx, outcome, attempt_id)
    if kind == "r" and attempt_id is not None:
        outcome = await ctx.services.quiz.attempts.resume(ctx.user.id, attempt_id)
        return await _after_answer(ctx, outcome, attempt_id)
    if kind == "x" and attempt_id is not None:
        if await ctx.services.quiz.attempts.abandon(ctx.user.id, attempt_id):
            ctx.finish()
            return Text(ctx.t("quiz.abandoned"))
        return Text(ctx.t("quiz.nothing_active"))
    return Text(ctx.t("common.stale_button"))


async def on_answer_text(ctx: Context) -> Reply | list[Reply]:
    """Text typed during a question that is not one of its choices."""
    current = await ctx.services.quiz.attempts.current(ctx.user.id)
    if current is None:
        ctx.finish()
        return Text(ctx.t("quiz.nothing_active"))
    return [Text(ctx.tc("quiz.answer_hint")), question_reply(ctx, current, resumed=True)]


async def resume(ctx: Context) -> Reply | list[Reply]:
    """/tieptuc during a quiz: the current question again, with live buttons and the time left
    (or, if its time ran out meanwhile, the feedback and the next question)."""
    current = await ctx.services.quiz.attempts.current(ctx.user.id)
    if current is None:
        ctx.finish()
        return Text(ctx.t("quiz.nothing_active"))
    outcome = await ctx.services.quiz.attempts.resume(ctx.user.id, current.attempt_id)
    return await _after_answer(ctx, outcome, current.attempt_id)


async def on_cancel(ctx: Context) -> Reply | list[Reply]:
    """/huy during a quiz: confirm before abandoning."""
    current = await ctx.services.quiz.attempts.current(ctx.user.id)
    if current is None:
        ctx.finish()
        return Text(ctx.t("common.cancelled"))
    t = ctx.t
    return text(
        t(
            "quiz.abandon_confirm",
            set_title=current.set_title,
            number=current.index + 1,
            total=current.total,
        ),
        [Button(t("quiz.abandon"), f"quiz:x:{current.attempt_id}")],
        [Button(t("quiz.resume"), f"quiz:r:{current.attempt_id}")],
    )


async def _choose_set(ctx: Context, slug: str) -> Reply | list[Reply]:
    bank = ctx.services.quiz.attempts.bank(slug)
    if bank is None:
        return Text(ctx.t("quiz.not_found"))
    if not ctx.user.is_staff:
        return await _start(ctx, slug, practice=True)
    t = ctx.t
    return text(
        t("quiz.choose_mode", title=bank.title, description=bank.description),
        [Button(t("quiz.mode_counted"), f"quiz:m:{slug}:c")],
        [Button(t("quiz.mode_practice"), f"quiz:m:{slug}:p")],
    )


async def _start(ctx: Context, slug: str, *, practice: bool) -> Reply | list[Reply]:
    started = await ctx.services.quiz.attempts.start(ctx.user.id, slug, practice=practice)
    view = started.question
    if started.kind is Outcome.BUSY and view is not None:
        return _busy(ctx, view.attempt_id, view.set_title, view.index, view.total)
    if view is None:
        return Text(ctx.t("quiz.not_found"))
    ctx.start_flow(QuizStep.ANSWER, attempt_id=view.attempt_id)
    return question_reply(ctx, view)


async def _unit_lines(ctx: Context) -> str:
    """The unit's standing after a counted pass, one line per target of the unit."""
    lines = [
        ctx.t(
            "quiz.unit_line",
            title=p.title,
            rate=percent(p.unit_rate),
            required=percent(p.required_rate),
            due=fmt_date(p.due_on),
        )
        for p in await ctx.services.quiz.personal_progress(ctx.user.id)
    ]
    return "\n\n" + "\n".join(lines) if lines else ""


def _busy(ctx: Context, attempt_id: int, title: str, index: int, total: int) -> Text:
    t = ctx.t
    ctx.start_flow(QuizStep.ANSWER, attempt_id=attempt_id)
    return text(
        t("quiz.busy", set_title=title, number=index + 1, total=total),
        [Button(t("quiz.resume"), f"quiz:r:{attempt_id}")],
        [Button(t("quiz.abandon"), f"quiz:x:{attempt_id}")],
    )


async def _after_answer(
    ctx: Context, outcome: AnswerOutcome, attempt_id: int
) -> Reply | list[Reply]:
    t = ctx.t
    kind = outcome.kind
    if kind in (Outcome.ACCEPTED, Outcome.TIMED_OUT):
        replies: list[Reply] = [feedback_reply(ctx, outcome, attempt_id)]
        if outcome.question is not None:
            ctx.start_flow(QuizStep.ANSWER, attempt_id=attempt_id)
            replies.append(question_reply(ctx, outcome.question))
        elif outcome.result is not None:
            ctx.finish()
            *body, last = result_replies(ctx, outcome.result)
            replies += body
            assert isinstance(last, Text)
            closing = last.text
            if not outcome.result.practice and not ctx.user.staff_confirmed:
                replies.append(Text(t("staff.practice_note")))  # counts once confirmed
            elif outcome.result.passed and not outcome.result.practice:
                closing += await _unit_lines(ctx)
            replies.append(text(closing, *after_result_buttons(ctx)))
        return replies
    if kind is Outcome.SHOWN and outcome.question is not None:
        ctx.start_flow(QuizStep.ANSWER, attempt_id=attempt_id)
        return question_reply(ctx, outcome.question, resumed=True)
    if kind in (Outcome.DUPLICATE, Outcome.EXPIRED, Outcome.STALE):
        # A second press, or a button of a question already behind: say so briefly and show
        # nothing again (the current question is already on screen, its buttons still open).
        return Toast(t(f"quiz.{kind.value}", number=outcome.index + 1))
    return Text(t(f"quiz.{kind.value}"))
