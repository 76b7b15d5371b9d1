"""Quiz statistics for the console: attempts and passes per set in a period, and each
question's answers and wrong answers per local day (`quiz_question_tallies`, added to when an
attempt finishes, so reading the hardest questions never scans every answer)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Float, bindparam, case, cast, func, select

from bot.storage.models import QuizAttempt, QuizQuestionTally
from bot.storage.repositories._dialect import Executor, dialect_name, insert_of


@dataclass(frozen=True, slots=True)
class SetCount:
    """Counted (not practice) finished attempts of one set in a period, and how many passed."""

    set_slug: str
    attempts: int
    passed: int


@dataclass(frozen=True, slots=True)
class QuestionCount:
    """One question's answers and wrong (or timed-out) answers in a period."""

    set_slug: str
    question_id: str
    answered: int
    wrong: int


async def add_answers(
    executor: Executor, *, set_slug: str, day: date, answers: Sequence[tuple[str, bool]]
) -> None:
    """Count the (question id, correct) answers of one finished attempt on `day` (one upsert;
    rows are written in question-id order so two finishing attempts never lock in a cycle)."""
    merged: dict[str, tuple[int, int]] = {}
    for question_id, correct in answers:
        answered, wrong = merged.get(question_id, (0, 0))
        merged[question_id] = (answered + 1, wrong + (not correct))
    if not merged:
        return
    rows = [
        {"set_slug": set_slug, "question_id": qid, "day": day, "answered": a, "wrong": w}
        for qid, (a, w) in sorted(merged.items())
    ]
    await executor.execute(_upsert(dialect_name(executor)), rows)


@cache
def _upsert(dialect: str) -> Any:
    table = QuizQuestionTally.__table__
    statement = insert_of(dialect, table)
    return statement.on_conflict_do_update(
        index_elements=["set_slug", "question_id", "day"],
        set_={
            "answered": table.c.answered + statement.excluded.answered,
            "wrong": table.c.wrong + statement.excluded.wrong,
        },
    )


async def set_counts(
    executor: Executor, *, set_slugs: Sequence[str], start: datetime, end: datetime
) -> list[SetCount]:
    """Per set: counted finished attempts in [start, end) and passes (an index-only scan of
    `ix_quiz_attempts_results` on PostgreSQL)."""
    attempt = QuizAttempt
    statement = (
        select(
            attempt.set_slug,
            func.count(),
            func.coalesce(func.sum(case((attempt.passed, 1), else_=0)), 0),
        )
        .where(
            attempt.set_slug.in_(list(set_slugs)),
            attempt.finished_at >= start,
            attempt.finished_at < end,
            attempt.practice.is_(False),
        )
        .group_by(attempt.set_slug)
    )
    return [
        SetCount(slug, int(count), int(passed))
        for slug, count, passed in await executor.execute(statement)
    ]


async def hardest(
    executor: Executor,
    *,
    set_slugs: Sequence[str],
    first_day: date,
    last_day: date,
    min_answers: int,
    limit: int,
) -> list[QuestionCount]:
    """Questions of the sets answered at least `min_answers` times between the two days
    (inclusive), highest share of wrong answers first."""
    tally = QuizQuestionTally
    answered = func.sum(tally.answered)
    wrong = func.sum(tally.wrong)
    share = cast(wrong, Float) / cast(answered, Float)
    statement = (
        select(tally.set_slug, tally.question_id, answered, wrong)
        .where(
            tally.set_slug.in_(list(set_slugs)),
            tally.day >= bindparam("first_day", first_day),
            tally.day <= bindparam("last_day", last_day),
        )
        .group_by(tally.set_slug, tally.question_id)
        .having(answered >= min_answers)
        .order_by(share.desc(), answered.desc(), tally.set_slug, tally.question_id)
        .limit(limit)
    )
    return [
        QuestionCount(slug, qid, int(a), int(w))
        for slug, qid, a, w in await executor.execute(statement)
    ]
