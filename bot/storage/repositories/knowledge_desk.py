"""The knowledge desk's verdicts on questions the bot could not answer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import KnowledgeTriage
from bot.storage.repositories._dialect import insert_for


async def decided_keys(session: AsyncSession) -> set[str]:
    """Folded questions an editor already handled (assigned or out of scope)."""
    return set((await session.scalars(select(KnowledgeTriage.question_key))).all())


async def add(
    session: AsyncSession,
    *,
    question_key: str,
    question: str,
    verdict: str,
    topic_slug: str | None,
    status: str,
    actor: str,
    now: datetime,
) -> bool:
    """Record a verdict; False if that question was decided already."""
    result = await session.execute(
        insert_for(session, KnowledgeTriage)
        .values(
            question_key=question_key,
            question=question,
            verdict=verdict,
            topic_slug=topic_slug,
            status=status,
            actor=actor,
            created_at=now,
        )
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount)


async def pending(session: AsyncSession) -> list[KnowledgeTriage]:
    """Example questions waiting to be published, oldest first."""
    rows = await session.scalars(
        select(KnowledgeTriage)
        .where(KnowledgeTriage.status == "pending")
        .order_by(KnowledgeTriage.created_at, KnowledgeTriage.id)
    )
    return list(rows.all())


async def mark_published(session: AsyncSession, *, ids: list[int], now: datetime) -> None:
    """The example questions are now in the published content."""
    await session.execute(
        update(KnowledgeTriage)
        .where(KnowledgeTriage.id.in_(ids))
        .values(status="published", published_at=now)
    )


async def withdraw(session: AsyncSession, *, triage_id: int) -> bool:
    """Take a pending example question back out of the queue."""
    row = await session.get(KnowledgeTriage, triage_id)
    if row is None or row.status != "pending":
        return False
    await session.delete(row)
    return True
