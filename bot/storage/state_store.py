"""The SQL implementation of the core's StateStore."""

from __future__ import annotations

from typing import Any

from bot.core.state import ConversationKey, ConversationState, StaleState
from bot.storage.db import Database
from bot.storage.repositories import conversations as repo


def state_of(step: str | None, data: Any, menu: Any, version: int) -> ConversationState:
    """The state as stored: empty JSON columns read as an empty mapping and list."""
    return ConversationState(step, dict(data or {}), list(menu or []), version)


class SqlStateStore:
    """Conversation state in the `conversations` table, with optimistic versioning."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def load(self, key: ConversationKey) -> ConversationState:
        async with self._db.transaction() as session:
            row = await repo.get(session, channel=key.channel, user_id=key.user_id)
            if row is None:
                return ConversationState()
            return state_of(row.step, row.data, row.menu, row.version)

    async def save(self, key: ConversationKey, state: ConversationState) -> None:
        async with self._db.connection(autocommit=True) as connection:
            saved = await repo.save(
                connection,
                channel=key.channel,
                user_id=key.user_id,
                step=state.step,
                data=state.data,
                menu=state.menu,
                expected_version=state.version,
            )
        if not saved:
            raise StaleState(key)
        state.version += 1

    async def release(self, key: ConversationKey, event_key: str) -> None:
        async with self._db.transaction() as session:
            await repo.release_event(session, channel=key.channel, event_key=event_key)
