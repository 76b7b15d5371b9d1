"""What the platform channels remember between restarts: message ids to edit in place, the Zalo OA
token chain (single-use refresh tokens rotated atomically), the Zalo OA consultation window, and
webhook events acknowledged before processing."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.clock import Clock
from bot.storage.db import Database
from bot.storage.repositories import channels as repo


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """What the OAuth endpoint answered to a refresh."""

    access_token: str
    refresh_token: str
    expires_in: int  # seconds


class OaNotConfigured(Exception):
    """No refresh token in the settings and none stored yet."""


@dataclass(frozen=True, slots=True)
class InboxEvent:
    """A stored webhook event waiting to be processed."""

    id: int
    event_key: str
    payload: dict[str, Any]


class ChannelStateService:
    """Short transactions over the channel tables; used by the channel adapters."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._oa_lock = asyncio.Lock()

    # ----- messages edited in place ------------------------------------------------------------

    async def get_message_ref(self, *, channel: str, chat_id: str, key: str) -> str | None:
        """The id of the message last sent under an edit key in a chat."""
        async with self._db.transaction() as session:
            return await repo.get_message_ref(session, channel=channel, chat_id=chat_id, key=key)

    async def put_message_ref(
        self, *, channel: str, chat_id: str, key: str, message_id: str
    ) -> None:
        """Remember the message now shown under an edit key."""
        async with self._db.transaction() as session:
            await repo.put_message_ref(
                session,
                channel=channel,
                chat_id=chat_id,
                key=key,
                message_id=message_id,
                now=self._clock.now(),
            )

    # ----- Zalo OA tokens ----------------------------------------------------------------------

    async def oa_access_token(
        self,
        *,
        app_id: str,
        configured_refresh: str | None,
        refresh: Callable[[str], Awaitable[TokenGrant]],
        margin: timedelta = timedelta(minutes=5),
    ) -> str:
        """A valid OA access token. When it must be refreshed, the stored refresh token is spent
        while its row is locked, and the new pair is committed before the token is returned."""
        async with self._oa_lock:
            async with self._db.transaction() as session:
                row = await repo.lock_oa_token(session, app_id=app_id)
                seed = _hash(configured_refresh) if configured_refresh else None
                if row is None or (seed is not None and row.seed_hash != seed):
                    if configured_refresh is None or seed is None:
                        raise OaNotConfigured(app_id)
                    await repo.seed_oa_token(
                        session,
                        app_id=app_id,
                        refresh_token=configured_refresh,
                        seed_hash=seed,
                        now=self._clock.now(),
                    )
                    row = await repo.lock_oa_token(session, app_id=app_id)
                    assert row is not None
                now = self._clock.now()
                if (
                    row.access_token
                    and row.access_expires_at
                    and (row.access_expires_at > now + margin)
                ):
                    return row.access_token
                grant = await refresh(row.refresh_token)
                await repo.store_oa_tokens(
                    session,
                    app_id=app_id,
                    version=row.version,
                    access_token=grant.access_token,
                    access_expires_at=now + timedelta(seconds=grant.expires_in),
                    refresh_token=grant.refresh_token,
                    now=now,
                )
            return grant.access_token

    async def expire_oa_access(self, *, app_id: str, access_token: str) -> None:
        """Drop an access token the API refused (the next call refreshes)."""
        async with self._db.transaction() as session:
            await repo.expire_oa_access(session, app_id=app_id, access_token=access_token)

    # ----- Zalo OA consultation window ---------------------------------------------------------

    async def touch_oa_contact(self, user_id: str, *, following: bool | None = None) -> None:
        """A person wrote to (or followed/unfollowed) the OA now."""
        async with self._db.transaction() as session:
            await repo.touch_oa_contact(
                session, user_id=user_id, at=self._clock.now(), following=following
            )

    async def oa_last_interaction(self, user_id: str) -> tuple[datetime | None, bool]:
        """When a person last interacted with the OA, and whether they still follow it."""
        async with self._db.transaction() as session:
            contact = await repo.get_oa_contact(session, user_id=user_id)
        if contact is None:
            return None, False
        return contact.last_interaction_at, contact.following

    # ----- webhook inbox -----------------------------------------------------------------------

    async def keep_event(
        self, *, channel: str, event_key: str, payload: dict[str, Any]
    ) -> int | None:
        """Store an event before acknowledging it; None when it was stored before (redelivery)."""
        async with self._db.transaction() as session:
            return await repo.add_inbox_event(
                session,
                channel=channel,
                event_key=event_key,
                payload=payload,
                now=self._clock.now(),
            )

    async def pending_events(self, *, channel: str, max_attempts: int = 5) -> list[InboxEvent]:
        """Stored events not processed yet, oldest first."""
        async with self._db.transaction() as session:
            rows = await repo.pending_inbox_events(
                session, channel=channel, max_attempts=max_attempts
            )
            return [InboxEvent(row.id, row.event_key, row.payload) for row in rows]

    async def prune_events(self, *, keep: timedelta = timedelta(days=2)) -> int:
        """Forget processed events older than `keep` (the messages in them are personal data)."""
        async with self._db.transaction() as session:
            return await repo.prune_inbox(session, before=self._clock.now() - keep)

    async def finish_event(self, event_id: int, *, error: str | None = None) -> None:
        """Mark a stored event processed, or count a failed attempt."""
        async with self._db.transaction() as session:
            await repo.finish_inbox_event(
                session,
                event_id=event_id,
                now=self._clock.now(),
                error=error[:200] if error else None,
            )


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
