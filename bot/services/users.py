"""Who a person is to the bot: consent, registration, profile, roles and erasure."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.state import ConversationState
from bot.core.text import fold_words
from bot.services.personal_data import erase_account_traces, export_account_traces
from bot.services.roles import Role
from bot.storage.db import Database
from bot.storage.models import User
from bot.storage.repositories import conversations as conversation_repo
from bot.storage.repositories import turns as turn_repo
from bot.storage.repositories import units as unit_repo
from bot.storage.repositories import users as user_repo
from bot.storage.state_store import state_of

CONSENT_VERSION = "2026-12"  # what is kept on erasure, /dulieucuatoi, question log

REPLAY_WINDOW = timedelta(days=2)
"""How long a turn's replies are kept for a redelivery: longer than any platform redelivers
(Telegram keeps an unconfirmed update 24 h; Zalo OA events are retried from our inbox within
two days); they may hold personal data, so not longer."""


class Kind(StrEnum):
    """What a person said they are at registration."""

    CITIZEN = "citizen"
    STAFF = "staff"


@dataclass(frozen=True, slots=True)
class Profile:
    """A read-only view of a person, handed to handlers."""

    id: int
    channel: str
    external_id: str
    kind: str | None
    consent_at: datetime | None
    full_name: str | None
    position: str | None
    unit_id: int | None
    unit_name: str | None
    roles: frozenset[str]
    managed_unit_ids: tuple[int, ...]
    staff_confirmed: bool = False  # confirmed as staff of `unit_id` (see `bot.services.staff`)

    @property
    def consented(self) -> bool:
        """Whether the person agreed to personal-data processing."""
        return self.consent_at is not None

    @property
    def registered(self) -> bool:
        """Consented and chose citizen or staff."""
        return self.consent_at is not None and self.kind is not None

    @property
    def is_staff(self) -> bool:
        """A registered cadre, civil servant or public employee with a unit."""
        return self.registered and self.kind == Kind.STAFF and self.unit_id is not None

    @property
    def is_admin(self) -> bool:
        """A provincial administrator."""
        return Role.ADMIN in self.roles

    @property
    def is_council(self) -> bool:
        """A member of the emulation council (admins count as members)."""
        return Role.COUNCIL in self.roles or self.is_admin

    @property
    def is_manager(self) -> bool:
        """A unit manager (of at least one unit)."""
        return bool(self.managed_unit_ids)


Eraser = Callable[[AsyncSession, int], Awaitable[None]]
"""Removes or anonymises one feature's personal data of a user, inside the erasure transaction."""

Exporter = Callable[[AsyncSession, int], Awaitable[Any]]
AfterErasure = Callable[[str, str], object]
"""Told (channel, platform id) once a person's erasure has committed: removes what lives outside
the database (files kept for a platform's links)."""
"""Returns one feature's personal data of a user as plain data (the person's data export)."""


class UnknownUser(LookupError):
    """No such user (command line)."""


class UserService:
    """Reads and changes people's profiles."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        self._erasers: list[Eraser] = [erase_account_traces]
        self._exporters: dict[str, Exporter] = {}
        self._after_erasure: list[AfterErasure] = []

    def after_erasure(self, forget: AfterErasure) -> None:
        """Let a part outside the database forget a person after their erasure committed."""
        self._after_erasure.append(forget)

    def add_eraser(self, eraser: Eraser) -> None:
        """Let a feature remove its own personal data when a person asks for deletion."""
        self._erasers.insert(len(self._erasers) - 1, eraser)  # the account's traces go last

    def add_exporter(self, name: str, exporter: Exporter) -> None:
        """Let a feature add its own personal data to a person's data export under `name`."""
        self._exporters[name] = exporter

    async def export(self, user_id: int) -> dict[str, Any]:
        """Everything stored about a person, as plain data (see `personal_data`)."""
        async with self._db.transaction() as session:
            found = await export_account_traces(session, user_id)
            if not found:
                return {}
            for name, exporter in self._exporters.items():
                found[name] = await exporter(session, user_id)
            return found

    async def touch(self, *, channel: str, external_id: str) -> Profile:
        """The profile of whoever sent an event, created on first contact."""
        async with self._db.transaction() as session:
            user = await user_repo.get_or_create(
                session, channel=channel, external_id=external_id, now=self._clock.now()
            )
            return await _profile(session, user)

    async def begin_turn(
        self, *, channel: str, external_id: str, dedup_key: str = ""
    ) -> tuple[Profile, ConversationState] | None:
        """Everything the engine needs to start handling an event, atomically: claim the update
        (None when it was processed before), mark the person seen, their profile and their
        conversation state (one statement on PostgreSQL, see `turns`). Runs in the engine's
        turn, so the claim commits with the turn."""
        one_statement = turn_repo.is_one_statement(self._db.dialect)
        async with self._db.connection(autocommit=one_statement) as connection:
            begun = await turn_repo.begin(
                connection,
                channel=channel,
                external_id=external_id,
                event_key=dedup_key,
                now=self._clock.now(),
            )
        if begun is None:
            return None
        user, stored = begun.user, begun.conversation
        profile = _profile_of(user, begun.unit_name, begun.grants)
        state = (
            ConversationState()
            if stored is None
            else state_of(
                stored.conversation_step,
                stored.conversation_data,
                stored.conversation_menu,
                stored.conversation_version,
            )
        )
        return profile, state

    async def conversation(self, *, channel: str, external_id: str) -> ConversationState:
        """Where a person is in a flow, read without starting a turn (the web page asks on load)."""
        async with self._db.transaction() as session:
            row = await conversation_repo.get(session, channel=channel, user_id=external_id)
        if row is None:
            return ConversationState()
        return state_of(row.step, row.data, row.menu, row.version)

    async def forget_processed_events(self, *, older_than: timedelta) -> int:
        """Drop redelivery bookkeeping older than any platform redelivers (Telegram: 24 h), and
        the replies kept for redeliveries after `REPLAY_WINDOW`."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            await conversation_repo.forget_replies(session, before=now - REPLAY_WINDOW)
            return await conversation_repo.prune_events(session, before=now - older_than)

    async def get(self, user_id: int) -> Profile | None:
        """A profile by internal id."""
        async with self._db.transaction() as session:
            user = await user_repo.by_id(session, user_id=user_id)
            return None if user is None else await _profile(session, user)

    async def find(self, *, channel: str, external_id: str) -> Profile | None:
        """A profile by channel account, without creating one."""
        async with self._db.transaction() as session:
            user = await user_repo.find(session, channel=channel, external_id=external_id)
            return None if user is None else await _profile(session, user)

    async def record_consent(self, user_id: int) -> None:
        """Remember that and when the person agreed."""
        async with self._db.transaction() as session:
            await user_repo.update_fields(
                session,
                user_id=user_id,
                consent_at=self._clock.now(),
                consent_version=CONSENT_VERSION,
            )

    async def register_citizen(self, user_id: int) -> None:
        """Finish registration as a citizen (no further personal data is collected)."""
        async with self._db.transaction() as session:
            await user_repo.update_fields(
                session,
                user_id=user_id,
                kind=Kind.CITIZEN,
                full_name=None,
                position=None,
                unit_id=None,
                registered_at=self._clock.now(),
            )

    async def register_staff(
        self, user_id: int, *, unit_id: int, full_name: str, position: str
    ) -> None:
        """Finish registration as staff of a unit."""
        async with self._db.transaction() as session:
            await user_repo.update_fields(
                session,
                user_id=user_id,
                kind=Kind.STAFF,
                unit_id=unit_id,
                full_name=full_name,
                position=position,
                registered_at=self._clock.now(),
            )

    async def update_profile(
        self,
        user_id: int,
        *,
        full_name: str | None = None,
        position: str | None = None,
        unit_id: int | None = None,
    ) -> None:
        """Change one or more profile fields."""
        fields = {
            key: value
            for key, value in {
                "full_name": full_name,
                "position": position,
                "unit_id": unit_id,
            }.items()
            if value is not None
        }
        if fields:
            async with self._db.transaction() as session:
                await user_repo.update_fields(session, user_id=user_id, **fields)

    async def erase(self, user_id: int) -> None:
        """Delete a person's personal data everywhere, in one transaction: each feature's
        eraser, the account's traces, then the user row itself (with its platform id). What
        stays is anonymous (see docs/SECURITY.md)."""
        async with self._db.transaction() as session:
            user = await user_repo.by_id(session, user_id=user_id)
            if user is None:
                return
            channel, external_id = user.channel, user.external_id
            for eraser in self._erasers:
                await eraser(session, user_id)
            await conversation_repo.forget_replies_of(session, channel=channel, user_id=external_id)
            await user_repo.delete_user(session, user_id=user_id)
        for forget in self._after_erasure:
            forget(channel, external_id)

    async def grant(
        self, *, channel: str, external_id: str, role: Role, unit_code: str | None = None
    ) -> bool:
        """Give a role from the command line; managers need a unit."""
        async with self._db.transaction() as session:
            user = await user_repo.find(session, channel=channel, external_id=external_id)
            if user is None:
                raise UnknownUser(f"{channel}:{external_id}")
            unit_id = None
            if role == Role.MANAGER:
                unit = await unit_repo.by_code(session, code=unit_code or "")
                if unit is None:
                    raise LookupError(unit_code or "")
                unit_id = unit.id
            return await user_repo.grant(session, user_id=user.id, role=role, unit_id=unit_id)

    async def revoke(self, *, channel: str, external_id: str, role: Role) -> int:
        """Take a role away from the command line."""
        async with self._db.transaction() as session:
            user = await user_repo.find(session, channel=channel, external_id=external_id)
            if user is None:
                raise UnknownUser(f"{channel}:{external_id}")
            return await user_repo.revoke(session, user_id=user.id, role=role)

    async def list_registered(
        self,
        *,
        channel: str | None = None,
        role: Role | None = None,
        unit_code: str | None = None,
        search: str | None = None,
        limit: int = 200,
    ) -> list[Profile]:
        """Registered people, newest first (command line), filtered by channel, role, unit (with
        its sub-units) and words of the name, position or unit name (accents ignored). Raises
        LookupError for an unknown unit code."""
        words = fold_words(search or "").split()
        async with self._db.transaction() as session:
            unit_path = None
            if unit_code:
                unit = await unit_repo.by_code(session, code=unit_code)
                if unit is None:
                    raise LookupError(unit_code)
                unit_path = unit.path
            users = await user_repo.list_users(
                session,
                channel=channel,
                role=role.value if role else None,
                unit_path=unit_path,
                limit=None if words else limit,
            )
            found: list[Profile] = []
            for user in users:
                person = await _profile(session, user)
                haystack = fold_words(
                    " ".join(filter(None, (person.full_name, person.position, person.unit_name)))
                )
                if all(word in haystack for word in words):
                    found.append(person)
                    if len(found) >= limit:
                        break
            return found


async def _profile(session: AsyncSession, user: User) -> Profile:
    grants = await user_repo.roles_of(session, user_id=user.id)
    unit_name = await user_repo.unit_name(session, unit_id=user.unit_id) if user.unit_id else None
    return _profile_of(user, unit_name, [(grant.role, grant.unit_id) for grant in grants])


def _profile_of(user: Any, unit_name: str | None, grants: list[tuple[str, int | None]]) -> Profile:
    """A profile from a user (ORM object or row), their unit's name and their (role, unit)."""
    return Profile(
        id=user.id,
        channel=user.channel,
        external_id=user.external_id,
        kind=user.kind,
        consent_at=user.consent_at,
        full_name=user.full_name,
        position=user.position,
        unit_id=user.unit_id,
        unit_name=unit_name,
        roles=frozenset(role for role, _ in grants),
        managed_unit_ids=tuple(
            unit_id for role, unit_id in grants if role == Role.MANAGER and unit_id is not None
        ),
        staff_confirmed=user.unit_id is not None and user.verified_unit_id == user.unit_id,
    )
