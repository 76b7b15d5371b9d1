"""Conversation state rows and processed-event claims."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Conversation, ProcessedEvent
from bot.storage.repositories._dialect import insert_ignore


async def get(session: AsyncSession, *, channel: str, user_id: str) -> Conversation | None:
    """The stored state, or None for a new conversation."""
    return await session.get(Conversation, (channel, user_id))


async def save(
    session: AsyncSession,
    *,
    channel: str,
    user_id: str,
    step: str | None,
    data: dict[str, Any],
    menu: list[Any],
    expected_version: int,
) -> bool:
    """Write the state if nobody else changed it since it was read; False on a lost race."""
    if expected_version == 0:
        inserted = await insert_ignore(
            session,
            Conversation.__table__,
            {
                "channel": channel,
                "user_id": user_id,
                "step": step,
                "data": data,
                "menu": menu,
                "version": 1,
            },
        )
        if inserted:
            return True
    result = await session.execute(
        update(Conversation)
        .where(
            Conversation.channel == channel,
            Conversation.user_id == user_id,
            Conversation.version == expected_version,
        )
        .values(step=step, data=data, menu=menu, version=expected_version + 1)
    )
    return bool(result.rowcount)


async def reset(session: AsyncSession, *, channel: str, user_id: str) -> None:
    """Forget what a conversation collected (personal-data deletion), keeping its version."""
    await session.execute(
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .values(step=None, data={}, menu=[])
    )


async def claim_event(
    session: AsyncSession, *, channel: str, event_key: str, now: datetime
) -> bool:
    """Record an update as taken; False if it was taken before (a redelivery)."""
    return await insert_ignore(
        session,
        ProcessedEvent.__table__,
        {"channel": channel, "event_key": event_key, "created_at": now},
    )


async def release_event(session: AsyncSession, *, channel: str, event_key: str) -> None:
    """Undo a claim when handling failed, so that the platform's retry is processed."""
    await session.execute(
        delete(ProcessedEvent).where(
            ProcessedEvent.channel == channel, ProcessedEvent.event_key == event_key
        )
    )


async def prune_events(session: AsyncSession, *, before: datetime) -> int:
    """Drop claims older than any redelivery could be."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < before))
    return result.rowcount or 0
