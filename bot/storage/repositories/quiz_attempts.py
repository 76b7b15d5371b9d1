"""Quiz attempts and their answers: creation, idempotent answers, history, anonymisation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import QuizAnswer, QuizAttempt
from bot.storage.repositories._dialect import insert_ignore

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
    """One attempt (concurrent answers are settled by `add_answer` and `advance`, not locks)."""
    return await session.get(QuizAttempt, attempt_id)


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


async def add_answer(
    session: AsyncSession,
    *,
    attempt_id: int,
    question_index: int,
    question_id: str,
    chosen: int | None,
    correct: bool,
    timed_out: bool,
    answered_at: datetime,
) -> bool:
    """Record an answer; False if this question of the attempt was answered already."""
    return await insert_ignore(
        session,
        QuizAnswer.__table__,
        {
            "attempt_id": attempt_id,
            "question_index": question_index,
            "question_id": question_id,
            "chosen": chosen,
            "correct": correct,
            "timed_out": timed_out,
            "answered_at": answered_at,
        },
    )


async def advance(
    session: AsyncSession, *, attempt_id: int, from_index: int, **values: Any
) -> bool:
    """Move an attempt past question `from_index`; False if someone else already did."""
    result = await session.execute(
        update(QuizAttempt)
        .where(
            QuizAttempt.id == attempt_id,
            QuizAttempt.current_index == from_index,
            QuizAttempt.status == ACTIVE,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)


async def set_status(session: AsyncSession, *, attempt_id: int, status: str) -> bool:
    """Change the status of an active attempt (abandon it); False if it was not active."""
    result = await session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt_id, QuizAttempt.status == ACTIVE)
        .values(status=status)
    )
    return bool(result.rowcount)


async def answers(session: AsyncSession, *, attempt_id: int) -> list[QuizAnswer]:
    """Every answer of an attempt, in question order."""
    rows = await session.scalars(
        select(QuizAnswer)
        .where(QuizAnswer.attempt_id == attempt_id)
        .order_by(QuizAnswer.question_index)
    )
    return list(rows.all())


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
