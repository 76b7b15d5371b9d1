"""Turning quiz outcomes into replies: the question with its buttons, feedback and the result."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, text
from bot.messages.numbers import percent
from bot.quiz.outcomes import AnswerOutcome, AttemptResult, Outcome, QuestionView

LETTERS = "ABCD"


def question_key(attempt_id: int, index: int) -> str:
    """The edit key of one question's message, shared by its feedback (edited in place)."""
    return f"quiz:{attempt_id}:{index}"


def question_reply(ctx: Context, view: QuestionView, *, resumed: bool = False) -> Text:
    """The question, its options lettered A–D, and one button per letter."""
    options = "\n".join(f"{LETTERS[i]}. {option}" for i, option in enumerate(view.options))
    message = ctx.tc(
        "quiz.question_resumed" if resumed else "quiz.question",
        set_title=view.set_title,
        practice=ctx.t("quiz.practice_tag") if view.practice else "",
        number=view.index + 1,
        total=view.total,
        text=view.text,
        options=options,
        seconds=view.seconds_left if resumed else view.time_limit,
    )
    row = [
        Button(LETTERS[i], f"quiz:a:{view.attempt_id}:{view.index}:{i}")
        for i in range(len(view.options))
    ]
    return text(message, row, edit_key=question_key(view.attempt_id, view.index))


def feedback_reply(ctx: Context, outcome: AnswerOutcome, attempt_id: int) -> Text:
    """Right, wrong or too late, with the explanation; replaces the question's message."""
    t = ctx.t
    values = {
        "number": outcome.index + 1,
        "total": outcome.total,
        "explanation": outcome.explanation,
        "correct": outcome.correct_text,
    }
    if outcome.kind is Outcome.TIMED_OUT:
        message = t("quiz.feedback_timeout", seconds=outcome.time_limit, **values)
    elif outcome.correct:
        message = t(
            "quiz.feedback_right",
            number=values["number"],
            total=values["total"],
            explanation=outcome.explanation,
        )
    else:
        message = t("quiz.feedback_wrong", chosen=outcome.chosen_text or "", **values)
    return Text(message, edit_key=question_key(attempt_id, outcome.index))


def result_replies(ctx: Context, result: AttemptResult) -> list[Reply]:
    """The score, pass or fail, and the review of what went wrong."""
    t = ctx.t
    needed = percent(result.pass_ratio)
    lines = [
        t(
            "quiz.result",
            set_title=result.set_title,
            correct=result.correct,
            total=result.total,
            percent=percent(result.score),
        )
    ]
    if result.practice:
        key = "quiz.result_practice_passed" if result.passed else "quiz.result_practice_failed"
    else:
        key = "quiz.result_passed" if result.passed else "quiz.result_failed"
    lines.append(t(key, needed=needed))
    replies: list[Reply] = [Text("\n".join(lines))]
    if result.wrong:
        review = [t("quiz.review_title")]
        for wrong in result.wrong:
            item = t(
                "quiz.review_item", number=wrong.index + 1, text=wrong.text, correct=wrong.correct
            )
            if wrong.timed_out:
                item = item.replace("\n", t("quiz.review_timeout") + "\n", 1)
            review.append(item)
        replies.append(Text("\n".join(review)))
    return replies


def after_result_buttons(ctx: Context) -> list[list[Button]]:
    """What to do next after an attempt."""
    t = ctx.t
    return [
        [Button(t("quiz.again"), "cmd:kiemtra")],
        [Button(t("quiz.my_results"), "cmd:ketqua")],
        [Button(t("quiz.leaderboard"), "cmd:thidua")],
    ]
