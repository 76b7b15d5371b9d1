"""Subscriptions to the daily tip."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import TipSubscription
from bot.storage.repositories._dialect import insert_for


async def get(session: AsyncSession, *, user_id: int) -> TipSubscription | None:
    """A person's subscription, if any."""
    return await session.get(TipSubscription, user_id)


async def subscribe(
    session: AsyncSession, *, user_id: int, hour: int, next_at: datetime, now: datetime
) -> None:
    """Subscribe, or change the hour of an existing subscription."""
    statement = (
        insert_for(session, TipSubscription.__table__)
        .values(user_id=user_id, hour=hour, next_at=next_at, created_at=now, sent=0)
        .on_conflict_do_update(index_elements=["user_id"], set_={"hour": hour, "next_at": next_at})
    )
    await session.execute(statement)


async def unsubscribe(session: AsyncSession, *, user_id: int) -> bool:
    """Stop the daily tip; False if the person was not subscribed."""
    result = await session.execute(
        delete(TipSubscription).where(TipSubscription.user_id == user_id)
    )
    return bool(result.rowcount)


async def due(session: AsyncSession, *, now: datetime, limit: int) -> list[TipSubscription]:
    """Subscriptions whose next tip is due, locked for this sweep (SKIP LOCKED on PostgreSQL)."""
    statement = (
        select(TipSubscription)
        .where(TipSubscription.next_at <= now)
        .order_by(TipSubscription.next_at, TipSubscription.user_id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())
