"""Web-chat sessions: server-issued, unguessable bearer tokens mapped to anonymous user ids, and
a per-client limit on opening them (each session is a new anonymous person: without a limit one
client could open any number of them)."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core.clock import Clock
from bot.storage.db import Database
from bot.storage.repositories import users as user_repo

TOUCHED_EVERY = timedelta(hours=1)
"""How stale a session's stored last use may get before a request writes it again: sessions
expire after WEB_SESSION_TTL_DAYS of disuse, so an hour is well within what that measures."""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class SessionQuota:
    """At most `limit` new sessions per client network in each window of `window`."""

    limit: int
    window: timedelta

    def window_start(self, now: datetime) -> datetime:
        """The start of the fixed window containing `now`."""
        seconds = int(self.window.total_seconds())
        epoch = int(now.timestamp())
        return datetime.fromtimestamp(epoch - epoch % seconds, UTC)


class TooManySessions(Exception):
    """This client opened its quota of sessions; `retry_after` seconds until the next window."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(retry_after)
        self.retry_after = retry_after


def client_key(address: str | None) -> str:
    """A pseudonymous key of a client's network: the IPv4 address, or the /64 of an IPv6 one
    (one household or office gets a whole /64), hashed and truncated."""
    network = address or "unknown"
    try:
        ip = ipaddress.ip_address(network)
        if ip.version == 6 and ip.ipv4_mapped is None:
            network = str(ipaddress.ip_network(f"{ip}/64", strict=False))
        elif ip.version == 6 and ip.ipv4_mapped is not None:
            network = str(ip.ipv4_mapped)
    except ValueError:
        pass
    return hashlib.sha256(f"cdsbot-web-client:{network}".encode()).hexdigest()[:32]


class WebSessionService:
    """Issues tokens and resolves them; only hashes are stored, so a database leak leaks none."""

    def __init__(
        self, db: Database, clock: Clock, *, ttl_days: int, quota: SessionQuota | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self._ttl = timedelta(days=ttl_days)
        self._quota = quota

    async def create(self, client: str | None = None) -> str:
        """A new session for a client (its IP address); returns the bearer token (shown to the
        client once). Raises TooManySessions when the client's quota for this window is used."""
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        # a turn: on SQLite a transaction that reads then writes outside one meets the turns
        # holding the writer in SQLite's busy handler (see `resolve`)
        async with self._db.turn(), self._db.transaction() as session:
            if self._quota is not None:
                start = self._quota.window_start(now)
                opened = await user_repo.count_session_opened(
                    session, client_key=client_key(client), window_start=start
                )
                if opened > self._quota.limit:
                    left = start + self._quota.window - now
                    raise TooManySessions(max(1, int(left.total_seconds()) + 1))
            await user_repo.add_web_session(
                session,
                token_hash=_hash(token),
                external_id=f"w{secrets.token_hex(12)}",
                now=now,
            )
        return token

    async def forget_old_quota(self) -> int:
        """Delete the counters of windows that have passed (housekeeping)."""
        if self._quota is None:
            return 0
        async with self._db.transaction() as session:
            return await user_repo.prune_session_quota(
                session, before=self._quota.window_start(self._clock.now())
            )

    async def resolve(self, token: str) -> str | None:
        """The anonymous user id behind a token, or None if unknown or expired.

        Every request of the page comes through here, so it only reads: a session's last use
        is written when the stored one is more than `TOUCHED_EVERY` old (expiry is measured in
        days). Writing it on every request cost a write per request outside the request's
        turn; on SQLite that write waited in SQLite's busy handler (which sleeps and polls)
        for every turn holding the single writer, ~190 ms a request and up to 4 s with 16
        clients, which made the web chat of a default installation slow (18 requests/s)."""
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
        if now - found.last_used_at >= TOUCHED_EVERY:
            # a turn: on SQLite it waits for the writer in this process's queue, not in the
            # busy handler (the read above took no lock, so no snapshot can be stale)
            async with self._db.turn(), self._db.transaction() as session:
                await user_repo.touch_web_session(session, token_hash=digest, now=now)
        return found.external_id
