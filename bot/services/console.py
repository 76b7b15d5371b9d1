"""Who may use the web console (/admin): one-time sign-in links for chat users who hold a role,
password accounts for bootstrap administrators, sessions, the throttle on failed sign-ins, and
the audit log. Roles are read from the role grants on every request, never from the cookie, so
a revoked grant takes effect at the next click."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.services.users import Profile, Role
from bot.storage.db import Database
from bot.storage.models import AuditEntry, Unit
from bot.storage.repositories import admin as repo
from bot.storage.repositories import users as user_repo

FREE_FAILURES = 3
"""Failed sign-ins allowed before each further try must wait (1 s, 2 s, 4 s … up to 15 min)."""
LONGEST_WAIT = timedelta(minutes=15)
_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no account, so that a wrong name takes as long as a
    wrong password. Made on the first login, not at import: one Argon2 hash costs about a second
    of CPU and 64 MB of memory, which every process would pay at launch."""
    return _HASHER.hash("not a password anyone has")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ConsoleUser:
    """The signed-in person as the console sees them on this request."""

    session_hash: str
    csrf_token: str
    label: str
    user_id: int | None
    account_id: int | None
    roles: frozenset[str]
    managed_paths: tuple[str, ...]
    managed_unit_ids: tuple[int, ...]

    @property
    def is_admin(self) -> bool:
        """A provincial administrator sees and does everything."""
        return Role.ADMIN in self.roles

    @property
    def is_council(self) -> bool:
        """The emulation council reviews nominations (administrators count as members)."""
        return Role.COUNCIL in self.roles or self.is_admin

    @property
    def is_manager(self) -> bool:
        """A manager of at least one unit (administrators manage every unit)."""
        return bool(self.managed_paths) or self.is_admin

    def manages(self, unit_path: str) -> bool:
        """Whether the unit with this path is one of theirs or below one of theirs."""
        return self.is_admin or any(unit_path.startswith(path) for path in self.managed_paths)


class SignInOutcome(StrEnum):
    """What a sign-in attempt came to."""

    OK = "ok"
    WRONG = "wrong"
    WAIT = "wait"


@dataclass(frozen=True, slots=True)
class SignIn:
    """The result of a sign-in: the session token when it worked, else how long to wait."""

    outcome: SignInOutcome
    token: str = ""
    wait_seconds: int = 0


class ConsoleAccessService:
    """Sign-in links, passwords, sessions, throttling and the audit log of the console."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        *,
        link_minutes: int = 10,
        session_hours: int = 8,
    ) -> None:
        self._db = db
        self._clock = clock
        self._link_ttl = timedelta(minutes=link_minutes)
        self._session_ttl = timedelta(hours=session_hours)

    # ----- sign-in links (/dangnhapweb) -----------------------------------------------------

    @staticmethod
    def may_use_console(profile: Profile) -> bool:
        """Only people who hold a role (admin, council, manager) get a link."""
        return bool(profile.roles & {Role.ADMIN, Role.COUNCIL, Role.MANAGER})

    async def issue_link(self, profile: Profile) -> str | None:
        """A new one-time link token for this person, or None if they hold no role."""
        if not self.may_use_console(profile):
            return None
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        async with self._db.transaction() as session:
            await repo.add_link(
                session,
                token_hash=_digest(token),
                user_id=profile.id,
                now=now,
                expires_at=now + self._link_ttl,
            )
        return token

    async def open_link(self, token: str, *, client: str) -> SignIn:
        """Trade a link for a session: works once, within its time, for a person who still
        holds a role. Failures count toward the client's throttle like wrong passwords."""
        keys = [f"ip:{client}"]
        async with self._db.transaction() as session:
            wait = await self._wait(session, keys)
            if wait:
                return SignIn(SignInOutcome.WAIT, wait_seconds=wait)
            user_id = (
                await repo.use_link(session, token_hash=_digest(token), now=self._clock.now())
                if 20 <= len(token) <= 100
                else None
            )
            if user_id is not None:
                grants = await user_repo.roles_of(session, user_id=user_id)
                if grants:
                    await repo.clear_failures(session, key=keys[0])
                    return SignIn(
                        SignInOutcome.OK,
                        token=await self._new_session(session, user_id=user_id, account_id=None),
                    )
        return await self._failed(keys)

    # ----- password accounts ------------------------------------------------------------------

    async def save_account(self, username: str, password: str, display_name: str) -> bool:
        """Create a bootstrap administrator (or reset their password); True if new."""
        async with self._db.transaction() as session:
            return await repo.save_account(
                session,
                username=username.strip().lower(),
                display_name=display_name.strip() or username.strip(),
                password_hash=_HASHER.hash(password),
                now=self._clock.now(),
            )

    async def sign_in(self, username: str, password: str, *, client: str) -> SignIn:
        """Check a user name and password, slowing down repeated failures per client and per
        user name (so neither many names from one address nor one name from many addresses
        can be guessed quickly)."""
        name = username.strip().lower()[:64]
        keys = [f"ip:{client}", f"user:{name}"]
        async with self._db.transaction() as session:
            wait = await self._wait(session, keys)
            if wait:
                return SignIn(SignInOutcome.WAIT, wait_seconds=wait)
            account = await repo.account_by_username(session, username=name)
            stored = account.password_hash if account and not account.disabled else _dummy_hash()
            try:
                _HASHER.verify(stored, password)
                verified = account is not None and not account.disabled
            except (VerificationError, InvalidHashError):
                verified = False
            if verified and account is not None:
                if _HASHER.check_needs_rehash(stored):
                    await repo.set_password_hash(
                        session, account_id=account.id, password_hash=_HASHER.hash(password)
                    )
                for key in keys:
                    await repo.clear_failures(session, key=key)
                return SignIn(
                    SignInOutcome.OK,
                    token=await self._new_session(session, user_id=None, account_id=account.id),
                )
        return await self._failed(keys)

    # ----- sessions ---------------------------------------------------------------------------

    async def current(self, token: str) -> ConsoleUser | None:
        """The person behind a session token with their roles as granted now; None if the
        session is unknown or expired, or if they no longer hold any role."""
        if not token or len(token) > 200:
            return None
        digest = _digest(token)
        now = self._clock.now()
        async with self._db.transaction() as session:
            found = await repo.live_session(session, token_hash=digest, now=now)
            if found is None:
                return None
            user = await self._identity(session, found.user_id, found.account_id)
            if user is None:
                return None
            label, roles, units = user
            if not roles:
                return None
            if now - found.last_seen_at > timedelta(minutes=1):
                await repo.touch_session(
                    session, token_hash=digest, now=now, expires_at=now + self._session_ttl
                )
            return ConsoleUser(
                session_hash=digest,
                csrf_token=found.csrf_token,
                label=label,
                user_id=found.user_id,
                account_id=found.account_id,
                roles=roles,
                managed_paths=tuple(unit.path for unit in units),
                managed_unit_ids=tuple(unit.id for unit in units),
            )

    async def sign_out(self, user: ConsoleUser) -> None:
        """End the session."""
        async with self._db.transaction() as session:
            await repo.end_session(session, token_hash=user.session_hash)

    async def prune(self) -> int:
        """Forget expired sessions and links older than a day."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            return await repo.prune(session, now=now, links_before=now - timedelta(days=1))

    async def signing_key(self, configured: str = "") -> str:
        """The key that signs console cookies: ADMIN_SECRET_KEY when set, else one generated
        once and kept in the database, so that every process accepts every cookie."""
        if configured:
            return configured
        async with self._db.transaction() as session:
            return await repo.shared_secret(
                session,
                name="console_cookie_key",
                candidate=secrets.token_urlsafe(48),
                now=self._clock.now(),
            )

    # ----- audit log --------------------------------------------------------------------------

    async def record(
        self,
        user: ConsoleUser,
        action: str,
        target: str = "",
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        note: str = "",
    ) -> None:
        """Append an action to the audit log."""
        async with self._db.transaction() as session:
            await repo.add_audit(
                session,
                at=self._clock.now(),
                actor=user.label,
                actor_user_id=user.user_id,
                actor_account_id=user.account_id,
                action=action,
                target=target,
                before=before,
                after=after,
                note=note,
            )

    async def audit_page(
        self, *, page: int, per_page: int = 50, action: str | None = None
    ) -> tuple[list[AuditEntry], int]:
        """One page of the audit log (newest first) and the number of entries."""
        async with self._db.transaction() as session:
            return await repo.audit_page(
                session, offset=max(page - 1, 0) * per_page, limit=per_page, action=action
            )

    # ----- internals --------------------------------------------------------------------------

    async def _new_session(
        self, session: AsyncSession, *, user_id: int | None, account_id: int | None
    ) -> str:
        token = secrets.token_urlsafe(32)
        now = self._clock.now()
        await repo.add_session(
            session,
            token_hash=_digest(token),
            csrf_token=secrets.token_urlsafe(24),
            user_id=user_id,
            account_id=account_id,
            now=now,
            expires_at=now + self._session_ttl,
        )
        return token

    async def _identity(
        self, session: AsyncSession, user_id: int | None, account_id: int | None
    ) -> tuple[str, frozenset[str], list[Unit]] | None:
        if account_id is not None:
            account = await repo.account_by_id(session, account_id=account_id)
            if account is None or account.disabled:
                return None
            return account.display_name, frozenset({Role.ADMIN.value}), []
        assert user_id is not None
        person = await user_repo.by_id(session, user_id=user_id)
        if person is None:
            return None
        grants = await user_repo.roles_of(session, user_id=user_id)
        roles = frozenset(grant.role for grant in grants)
        units = [
            unit
            for grant in grants
            if grant.role == Role.MANAGER and grant.unit_id is not None
            if (unit := await session.get(Unit, grant.unit_id)) is not None
        ]
        return person.full_name or f"{person.channel}:{person.external_id}", roles, units

    async def _wait(self, session: AsyncSession, keys: list[str]) -> int:
        """Seconds the caller must still wait before trying again (0: may try now)."""
        now = self._clock.now()
        longest = 0
        for key in keys:
            found = await repo.throttle(session, key=key)
            if found and found.blocked_until and found.blocked_until > now:
                longest = max(longest, int((found.blocked_until - now).total_seconds()) + 1)
        return longest

    async def _failed(self, keys: list[str]) -> SignIn:
        now = self._clock.now()
        async with self._db.transaction() as session:
            for key in keys:
                count = await repo.record_failure(session, key=key, now=now, blocked_until=None)
                if count >= FREE_FAILURES:
                    delay = min(timedelta(seconds=2 ** (count - FREE_FAILURES)), LONGEST_WAIT)
                    await repo.set_blocked_until(session, key=key, until=now + delay)
        return SignIn(SignInOutcome.WRONG)
