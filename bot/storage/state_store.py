"""The SQL implementation of the core's StateStore."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import Any

from bot.core import reply_codec
from bot.core.clock import Clock, SystemClock
from bot.core.replies import Reply
from bot.core.state import ConversationKey, ConversationState, StaleState
from bot.storage.db import Database
from bot.storage.repositories import conversations as repo
from bot.storage.repositories import turns as turn_repo


def state_of(step: str | None, data: Any, menu: Any, version: int) -> ConversationState:
    """The state as stored: empty JSON columns read as an empty mapping and list."""
    return ConversationState(step, dict(data or {}), list(menu or []), version)


class SqlStateStore:
    """Conversation state in the `conversations` table, with optimistic versioning; turns as
    `Database.turn`; replies kept in `processed_events` (JSON, `bot.core.reply_codec`)."""

    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def turn(self) -> AbstractAsyncContextManager[None]:
        return self._db.turn()

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

    async def finish(
        self,
        key: ConversationKey,
        state: ConversationState | None,
        event_key: str,
        replies: list[Reply],
    ) -> None:
        async with self._db.connection(autocommit=True) as connection:
            saved = await turn_repo.finish(
                connection,
                channel=key.channel,
                user_id=key.user_id,
                state=None
                if state is None
                else turn_repo.NewState(state.step, state.data, state.menu, state.version),
                event_key=event_key,
                replies=reply_codec.encode(replies) if event_key else [],
            )
        if not saved:
            raise StaleState(key)
        if state is not None:
            state.version += 1

    async def stored_replies(self, key: ConversationKey, event_key: str) -> list[Reply] | None:
        async with self._db.connection(autocommit=True) as connection:
            stored = await turn_repo.stored_replies(
                connection, channel=key.channel, event_key=event_key
            )
        return None if stored is None else reply_codec.decode(stored)

    async def claim_answered(
        self, key: ConversationKey, event_key: str, replies: list[Reply]
    ) -> list[Reply]:
        async with self._db.connection(autocommit=True) as connection:
            stored = await turn_repo.claim_answered(
                connection,
                channel=key.channel,
                external_id=key.user_id,
                event_key=event_key,
                replies=reply_codec.encode(replies),
                now=self._clock.now(),
            )
        return replies if stored is None else reply_codec.decode(stored)
