"""Quiz attempts and their answers: creation, idempotent answers, history, anonymisation.

Answering a question is the hottest write the bot has (every tap of every quiz), so its two
statements are built once, run as Core on the session's connection (no ORM identity map) and, on
PostgreSQL, the answer row and the attempt's advance travel as one statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, bindparam, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.storage.models import QuizAnswer, QuizAttempt, QuizTarget
from bot.storage.repositories._dialect import Executor

ACTIVE = "active"
FINISHED = "finished"
ABANDONED = "abandoned"


async def create(session: AsyncSession, **fields: Any) -> QuizAttempt:
    """Store a new attempt and return it with its id."""
    attempt = QuizAttempt(**fields)
    session.add(attempt)
    await session.flush()
    return attempt


async def get(session: AsyncSession, *, attempt_id: int) -> QuizAttempt | None:
    """One attempt as an ORM object."""
    return await session.get(QuizAttempt, attempt_id)


_ATTEMPTS = QuizAttempt.__table__
_ANSWERS = QuizAnswer.__table__
_TARGETS = QuizTarget.__table__
_ACTIVE = (_TARGETS.c.starts_on <= bindparam("day")) & (_TARGETS.c.due_on >= bindparam("day"))
_READ = (
    select(
        _ATTEMPTS,
        _TARGETS.c.id.label("target_id"),
        _TARGETS.c.set_slugs.label("target_sets"),
        _TARGETS.c.starts_on.label("target_starts_on"),
        _TARGETS.c.due_on.label("target_due_on"),
    )
    .select_from(_ATTEMPTS.outerjoin(_TARGETS, _ACTIVE))
    .where(_ATTEMPTS.c.id == bindparam("attempt_id"))
    .order_by(_TARGETS.c.due_on, _TARGETS.c.id)
)


@dataclass(frozen=True, slots=True)
class TargetPeriod:
    """A target active on the day of an answer: what a finished attempt's refresh needs."""

    id: int
    set_slugs: list[str]
    starts_on: date
    due_on: date


async def read(
    connection: AsyncConnection, *, attempt_id: int, day: date
) -> tuple[Row[Any], list[TargetPeriod]] | None:
    """One attempt's row (attribute names as on `QuizAttempt`) and the targets active on `day`,
    in one round trip (the last answer refreshes the person's standing in those). Concurrent
    answers are settled by the conditional update in `record_answer`, not by locks."""
    rows = (await connection.execute(_READ, {"attempt_id": attempt_id, "day": day})).all()
    if not rows:
        return None
    periods = [
        TargetPeriod(row.target_id, row.target_sets, row.target_starts_on, row.target_due_on)
        for row in rows
        if row.target_id is not None
    ]
    return rows[0], periods


async def record_answer(
    connection: AsyncConnection,
    *,
    attempt_id: int,
    from_index: int,
    answer: dict[str, Any],
    correct_count: int,
    now: datetime,
    result: tuple[float, bool] | None,
) -> list[RecordedAnswer] | None:
    """Store the answer to question `from_index` and move the attempt past it — to the next
    question sent at `now`, or, with `result` (score, passed), to finished. None when the
    attempt is no longer at that question (a double tap, another worker): nothing is written.
    Otherwise the attempt's answers in question order when it finished (for the review), else
    an empty list."""
    params = {
        "attempt_id": attempt_id,
        "from_index": from_index,
        "to_index": from_index + 1,
        "to_correct": correct_count,
        "now": now,
        **{f"a_{name}": value for name, value in answer.items()},
    }
    if result is not None:
        params["to_score"], params["to_passed"] = result
    finishing = result is not None
    if connection.dialect.name == "postgresql":
        rows = (await connection.execute(_record_pg(finishing), params)).all()
        if not rows:
            return None
        if not finishing:
            return []
        earlier = [_recorded(row) for row in rows if row.question_index is not None]
        return [*earlier, RecordedAnswer(from_index, **answer)]
    moved = await connection.execute(_advance(finishing), params)
    if not moved.rowcount:
        return None
    await connection.execute(_insert_answer(), params)
    return await answers(connection, attempt_id=attempt_id) if finishing else []


@dataclass(frozen=True, slots=True)
class RecordedAnswer:
    """One stored answer, as the end-of-attempt review needs it."""

    question_index: int
    question_id: str
    chosen: int | None
    correct: bool
    timed_out: bool


def _recorded(row: Row[Any]) -> RecordedAnswer:
    return RecordedAnswer(
        row.question_index, row.question_id, row.chosen, row.correct, row.timed_out
    )


_ANSWER_FIELDS = ("question_id", "chosen", "correct", "timed_out")


@cache
def _advance(finishing: bool) -> Any:
    """UPDATE quiz_attempts … WHERE it is still active at `from_index`."""
    values: dict[str, Any] = {
        "current_index": bindparam("to_index"),
        "correct_count": bindparam("to_correct"),
    }
    if finishing:
        values.update(
            status=FINISHED,
            finished_at=bindparam("now", type_=_ATTEMPTS.c.finished_at.type),
            score=bindparam("to_score", type_=_ATTEMPTS.c.score.type),
            passed=bindparam("to_passed", type_=_ATTEMPTS.c.passed.type),
        )
    else:
        values["question_sent_at"] = bindparam("now", type_=_ATTEMPTS.c.question_sent_at.type)
    return (
        update(_ATTEMPTS)
        .where(
            _ATTEMPTS.c.id == bindparam("attempt_id"),
            _ATTEMPTS.c.current_index == bindparam("from_index"),
            _ATTEMPTS.c.status == ACTIVE,
        )
        .values(values)
    )


def _answer_values(attempt_id: Any) -> list[Any]:
    return [
        attempt_id,
        bindparam("from_index", type_=_ANSWERS.c.question_index.type),
        *(bindparam(f"a_{name}", type_=_ANSWERS.c[name].type) for name in _ANSWER_FIELDS),
        bindparam("now", type_=_ANSWERS.c.answered_at.type),
    ]


_ANSWER_COLUMNS = ["attempt_id", "question_index", *_ANSWER_FIELDS, "answered_at"]


@cache
def _insert_answer() -> Any:
    values = _answer_values(bindparam("attempt_id", type_=_ANSWERS.c.attempt_id.type))
    return insert(_ANSWERS).from_select(_ANSWER_COLUMNS, select(*values))


@cache
def _record_pg(finishing: bool) -> Any:
    """PostgreSQL: the advance as a data-modifying CTE feeding the answer's INSERT, so the
    answer is written exactly when the attempt moved (one round trip). The last answer also
    reads the earlier ones (the statement's snapshot predates its own insert) for the review."""
    moved = _advance(finishing).returning(_ATTEMPTS.c.id).cte("moved")
    source = select(*_answer_values(moved.c.id))
    added = insert(_ANSWERS).from_select(_ANSWER_COLUMNS, source).returning(_ANSWERS.c.attempt_id)
    if not finishing:
        return added
    added_cte = added.cte("added")
    earlier = _ANSWERS.alias("earlier")
    return (
        select(added_cte.c.attempt_id, *(earlier.c[name] for name in _REVIEW_FIELDS))
        .select_from(added_cte.outerjoin(earlier, earlier.c.attempt_id == added_cte.c.attempt_id))
        .order_by(earlier.c.question_index)
    )


_REVIEW_FIELDS = ("question_index", *_ANSWER_FIELDS)


async def active_for_user(session: AsyncSession, *, user_id: int) -> QuizAttempt | None:
    """The person's unfinished attempt, if any (newest first)."""
    return await session.scalar(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.status == ACTIVE)
        .order_by(QuizAttempt.id.desc())
        .limit(1)
    )


async def drawn_questions(session: AsyncSession, *, user_id: int, set_slug: str) -> list[list[str]]:
    """The question ids drawn in each earlier attempt of this person on this set."""
    rows = await session.scalars(
        select(QuizAttempt.question_ids).where(
            QuizAttempt.user_id == user_id, QuizAttempt.set_slug == set_slug
        )
    )
    return [list(ids) for ids in rows]


async def set_status(executor: Executor, *, attempt_id: int, status: str) -> bool:
    """Change the status of an active attempt (abandon it); False if it was not active."""
    result = await executor.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == ACTIVE)
        .values(status=status)
    )
    return bool(result.rowcount)


_ANSWERS_OF = (
    select(_ANSWERS)
    .where(_ANSWERS.c.attempt_id == bindparam("attempt_id"))
    .order_by(_ANSWERS.c.question_index)
)


async def answers(connection: AsyncConnection, *, attempt_id: int) -> list[RecordedAnswer]:
    """Every answer of an attempt, in question order."""
    rows = await connection.execute(_ANSWERS_OF, {"attempt_id": attempt_id})
    return [_recorded(row) for row in rows]


async def recent(session: AsyncSession, *, user_id: int, limit: int = 10) -> list[QuizAttempt]:
    """The person's latest finished attempts."""
    rows = await session.scalars(
        select(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.status == FINISHED)
        .order_by(QuizAttempt.finished_at.desc(), QuizAttempt.id.desc())
        .limit(limit)
    )
    return list(rows.all())


async def counts(session: AsyncSession, *, user_id: int) -> tuple[int, int]:
    """How many counted attempts the person finished, and how many of them passed."""
    row = (
        await session.execute(
            select(func.count(), func.count().filter(QuizAttempt.passed)).where(
                QuizAttempt.user_id == user_id,
                QuizAttempt.status == FINISHED,
                QuizAttempt.practice.is_(False),
            )
        )
    ).one()
    return int(row[0]), int(row[1])


async def first_passes(
    session: AsyncSession,
    *,
    user_id: int,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
) -> dict[str, datetime]:
    """For each set the person passed (counted) in [start, end): when they first did."""
    if not set_slugs:
        return {}
    rows = await session.execute(
        select(QuizAttempt.set_slug, func.min(QuizAttempt.finished_at))
        .where(
            QuizAttempt.user_id == user_id,
            QuizAttempt.set_slug.in_(list(set_slugs)),
            QuizAttempt.passed.is_(True),
            QuizAttempt.practice.is_(False),
            QuizAttempt.finished_at >= start,
            QuizAttempt.finished_at < end,
        )
        .group_by(QuizAttempt.set_slug)
    )
    return {slug: when for slug, when in rows}


async def anonymise(session: AsyncSession, *, user_id: int) -> None:
    """Unlink a person's attempts (erasure): scores stay only as anonymous aggregates."""
    await session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.user_id == user_id, QuizAttempt.status == ACTIVE)
        .values(status=ABANDONED)
    )
    await session.execute(
        update(QuizAttempt).where(QuizAttempt.user_id == user_id).values(user_id=None)
    )
