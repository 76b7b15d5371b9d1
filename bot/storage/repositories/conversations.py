"""Conversation state rows and processed-event bookkeeping (claims are in `turns`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.storage.models import Conversation, ProcessedEvent
from bot.storage.models.base import utcnow
from bot.storage.repositories._dialect import insert_for, insert_of


async def get(session: AsyncSession, *, channel: str, user_id: str) -> Conversation | None:
    """The stored state, or None for a new conversation."""
    return await session.get(Conversation, (channel, user_id))


async def save(
    connection: AsyncConnection,
    *,
    channel: str,
    user_id: str,
    step: str | None,
    data: dict[str, Any],
    menu: list[Any],
    expected_version: int,
) -> bool:
    """Write the state if nobody else changed it since it was read; False on a lost race.

    Each statement is atomic by itself (insert if absent; update if still at the version read),
    so this runs after most turns without a surrounding transaction."""
    params = state_params(
        channel=channel, user_id=user_id, step=step, data=data, menu=menu, version=expected_version
    )
    if expected_version == 0:
        inserted = await connection.execute(_insert(connection.dialect.name), params)
        if inserted.rowcount:
            return True
    return bool((await connection.execute(_UPDATE, params)).rowcount)


def state_params(
    *, channel: str, user_id: str, step: str | None, data: Any, menu: Any, version: int
) -> dict[str, Any]:
    """The parameters of `save`'s statements (and of `UPDATE_STATE`)."""
    return {
        "key_channel": channel,
        "key_user": user_id,
        "to_step": step,
        "to_data": data,
        "to_menu": menu,
        "expected": version,
        "to_version": version + 1,
        "to_updated": utcnow(),
    }


_TABLE = Conversation.__table__


def _new_values() -> dict[str, Any]:
    return {
        "step": bindparam("to_step", type_=_TABLE.c.step.type),
        "data": bindparam("to_data", type_=_TABLE.c.data.type),
        "menu": bindparam("to_menu", type_=_TABLE.c.menu.type),
        "version": bindparam("to_version"),
        "updated_at": bindparam("to_updated", type_=_TABLE.c.updated_at.type),
    }


_KEY = (_TABLE.c.channel == bindparam("key_channel")) & (_TABLE.c.user_id == bindparam("key_user"))
_UPDATE = (
    update(_TABLE).where(_KEY, _TABLE.c.version == bindparam("expected")).values(_new_values())
)
UPDATE_STATE = _UPDATE
"""Save an existing conversation if still at the version read (for statements that combine it)."""


@cache
def _insert(dialect: str) -> Any:
    values = {
        "channel": bindparam("key_channel", type_=_TABLE.c.channel.type),
        "user_id": bindparam("key_user", type_=_TABLE.c.user_id.type),
        **_new_values(),
    }
    return insert_of(dialect, _TABLE).values(values).on_conflict_do_nothing()


async def offer_menus(
    session: AsyncSession, *, menus: Sequence[tuple[str, str, list[Any]]]
) -> None:
    """Make each (channel, user id, menu) the choices a typed number answers — those of a push
    just delivered. Only the menu column changes, in one statement per person and without a
    new version: an open flow's step and data stay, and a turn being handled meanwhile saves
    as usual (its replies go out after the push, so its choices rightly win)."""
    if not menus:
        return
    table = _TABLE
    statement = insert_for(session, table)
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.channel, table.c.user_id],
        set_={"menu": statement.excluded.menu},
    )
    for channel, user_id, menu in menus:  # in delivery order: the newest push wins
        await session.execute(
            statement.values(
                channel=channel, user_id=user_id, step=None, data={}, menu=menu, version=0
            )
        )


async def reset(session: AsyncSession, *, channel: str, user_id: str) -> None:
    """Forget what a conversation collected (personal-data deletion), keeping its version."""
    await session.execute(
        update(Conversation)
        .where(Conversation.channel == channel, Conversation.user_id == user_id)
        .values(step=None, data={}, menu=[])
    )


async def prune_events(session: AsyncSession, *, before: datetime) -> int:
    """Drop claims older than any redelivery could be."""
    result = await session.execute(delete(ProcessedEvent).where(ProcessedEvent.created_at < before))
    return result.rowcount or 0


async def forget(session: AsyncSession, *, channel: str, user_id: str) -> None:
    """Delete a conversation row (personal-data erasure)."""
    await session.execute(
        delete(Conversation).where(Conversation.channel == channel, Conversation.user_id == user_id)
    )


async def forget_replies(session: AsyncSession, *, before: datetime) -> int:
    """Drop the replies kept with claims made before `before` (they may hold personal data);
    the claims stay, so a late redelivery is still recognised."""
    result = await session.execute(
        update(ProcessedEvent)
        .where(ProcessedEvent.created_at < before, ProcessedEvent.replies.is_not(None))
        .values(replies=None)
    )
    return result.rowcount or 0


async def forget_replies_of(session: AsyncSession, *, channel: str, user_id: str) -> None:
    """Drop a person's kept replies and the link of their claims to them (erasure)."""
    await session.execute(
        update(ProcessedEvent)
        .where(ProcessedEvent.channel == channel, ProcessedEvent.user_id == user_id)
        .values(replies=None, user_id=None)
    )
