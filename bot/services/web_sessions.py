"""Web-chat sessions: server-issued, unguessable bearer tokens mapped to anonymous user ids."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from bot.core.clock import Clock
from bot.storage.db import Database
from bot.storage.repositories import users as user_repo


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class WebSessionService:
    """Issues tokens and resolves them; only hashes are stored, so a database leak leaks none."""

    def __init__(self, db: Database, clock: Clock, *, ttl_days: int) -> None:
        self._db = db
        self._clock = clock
        self._ttl = timedelta(days=ttl_days)

    async def create(self) -> str:
        """A new session; returns the bearer token (shown to the client once)."""
        token = secrets.token_urlsafe(32)
        async with self._db.transaction() as session:
            await user_repo.add_web_session(
                session,
                token_hash=_hash(token),
                external_id=f"w{secrets.token_hex(12)}",
                now=self._clock.now(),
            )
        return token

    async def resolve(self, token: str) -> str | None:
        """The anonymous user id behind a token, or None if unknown or expired."""
        if not token or len(token) > 200:
            return None
        digest = _hash(token)
        async with self._db.transaction() as session:
            found = await user_repo.web_session(session, token_hash=digest)
            if found is None:
                return None
            now = self._clock.now()
            if found.last_used_at + self._ttl < now:
                return None
            await user_repo.touch_web_session(session, token_hash=digest, now=now)
            return found.external_id
