"""Staff verification: a registration counts toward a unit only once it is confirmed.

Anyone may say they are staff of a unit; the claim counts (targets, leaderboard, the manager's
figures) only after one of:
- the roster: the unit's own staff list (`cdsbot staff import`) has an entry with the person's
  name that nobody confirmed has taken yet, and the person types the phone number, e-mail
  address or staff code written in that entry (compared, never stored or shown);
- a manager of the unit (or of a unit above it) presses "Đúng" on the request the bot sends them
  through the outbox, or confirms from /donvi;
- an administrator, from the command line (`cdsbot staff confirm`).
Roster confirmations stop at the unit's headcount: past it, a manager decides, and is warned.
Attempts made before confirmation are kept and count once the person is confirmed (see
docs/SECURITY.md); moving to another unit needs a new confirmation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.replies import Button, Text, text
from bot.core.text import fold_words
from bot.messages import Catalog
from bot.scheduler.outbox import Purpose, Push, add
from bot.scheduler.timing import QuietHours
from bot.services.users import Profile
from bot.storage.db import Database
from bot.storage.models import StaffRosterEntry, Unit, User
from bot.storage.repositories import audience as audience_repo
from bot.storage.repositories import staff_verification as repo


class Claim(StrEnum):
    """Where a person's claim to be staff of their unit stands."""

    CONFIRMED = "confirmed"
    ASK_PROOF = "ask_proof"  # a free roster entry has their name: ask what it says about them
    PENDING = "pending"  # a manager was asked
    NO_MANAGER = "no_manager"  # nobody manages the unit or a unit above it: an administrator
    REJECTED = "rejected"  # the unit's manager said the person is not its staff
    NOT_STAFF = "not_staff"


class Decision(StrEnum):
    """What a manager's Đúng/Không did."""

    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    OVER_HEADCOUNT = "over_headcount"  # confirming would pass the headcount: ask again
    STALE = "stale"  # the person left the unit, erased their data, or the id is forged
    NOT_ALLOWED = "not_allowed"


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """A decision, with what the manager's answer and the person's notice need."""

    decision: Decision
    name: str = ""
    unit_name: str = ""
    counted: int = 0
    headcount: int = 0
    channel: str = ""
    external_id: str = ""


@dataclass(frozen=True, slots=True)
class PendingStaff:
    """A person waiting for confirmation, as the manager sees them."""

    user_id: int
    unit_id: int
    name: str
    position: str
    unit_name: str


@dataclass(frozen=True, slots=True)
class Headcount:
    """A unit's confirmed staff against its headcount."""

    counted: int
    headcount: int

    @property
    def over(self) -> bool:
        """More confirmed staff than the unit has people (the manager is warned)."""
        return self.headcount > 0 and self.counted > self.headcount

    @property
    def full(self) -> bool:
        """No room left for another confirmation below the headcount (a headcount of 0 means
        not known: nothing is capped, and /donvi says the headcount is missing)."""
        return self.headcount > 0 and self.counted >= self.headcount


def normalise_proof(value: str) -> set[str]:
    """The forms a phone number, e-mail address or staff code is compared in."""
    value = value.strip()
    forms = {value.casefold().replace(" ", "")} if value else set()
    digits = re.sub(r"\D", "", value)
    if digits and len(digits) >= 8 and not re.search(r"[A-Za-z@]", value):
        if digits.startswith("84") and len(digits) in (11, 12):
            digits = "0" + digits[2:]
        forms.add(digits)
    return forms


def _proofs(entry: StaffRosterEntry) -> set[str]:
    found: set[str] = set()
    for value in (entry.phone, entry.email, entry.staff_code):
        if value:
            found |= normalise_proof(value)
    return found


async def _standing(
    session: AsyncSession, user_id: int, *, rejected_counts: bool = True
) -> tuple[User | None, Claim]:
    """The person to confirm, or (None, the answer already settled): not staff of a unit,
    confirmed already, or (when `rejected_counts`) refused by a manager for this unit.

    Proving with the roster does not stop at a manager's refusal: the roster is the stronger
    proof, so `prove` passes `rejected_counts=False`.
    """
    user = await session.get(User, user_id)
    if user is None or user.kind != repo.STAFF or user.unit_id is None:
        return None, Claim.NOT_STAFF
    if user.verified_unit_id == user.unit_id:
        return None, Claim.CONFIRMED
    if rejected_counts and user.rejected_unit_id == user.unit_id:
        return None, Claim.REJECTED
    return user, Claim.PENDING


class StaffService:
    """Confirms staff for their unit and tells managers who is waiting."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        t: Catalog,
        quiet: QuietHours,
        *,
        wake: Callable[[], None] | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._t = t
        self._quiet = quiet
        self._wake = wake

    async def claim(self, user_id: int) -> Claim:
        """After a person registered as staff or changed unit: confirmed already, ask for the
        roster proof, or ask the unit's managers (at most once per person and unit)."""
        async with self._db.transaction() as session:
            user, settled = await _standing(session, user_id)
            if user is None:
                return settled
            if await self._free_entries(session, user):
                return Claim.ASK_PROOF
            return await self._ask_managers(session, user, over_headcount=False)

    async def prove(self, user_id: int, typed: str) -> Claim | None:
        """The person typed what the roster says about them: confirmed (or, past the headcount,
        a manager is asked); None when it matches no free entry with their name."""
        async with self._db.transaction() as session:
            user, settled = await _standing(session, user_id, rejected_counts=False)
            if user is None:
                return settled
            wanted = normalise_proof(typed)
            if not wanted or not any(
                wanted & _proofs(entry) for entry in await self._free_entries(session, user)
            ):
                return None
            unit = await session.get(Unit, user.unit_id)
            count = await repo.confirmed_count(session, unit_id=user.unit_id)
            if unit is not None and Headcount(count, unit.headcount).full:
                return await self._ask_managers(session, user, over_headcount=True)
            await repo.confirm(
                session, user_id=user.id, unit_id=user.unit_id, via="roster", now=self._clock.now()
            )
            return Claim.CONFIRMED

    async def ask_managers(self, user_id: int) -> Claim:
        """The person would rather have a manager confirm them (or could not prove it)."""
        async with self._db.transaction() as session:
            user, settled = await _standing(session, user_id)
            if user is None:
                return settled
            return await self._ask_managers(session, user, over_headcount=False)

    async def decide(
        self, actor: Profile, user_id: int, unit_id: int, *, approve: bool, force: bool = False
    ) -> DecisionResult:
        """A manager (of the unit or a unit above it) or an administrator answers a request."""
        async with self._db.transaction() as session:
            user = await session.get(User, user_id)
            unit = await session.get(Unit, unit_id)
            if user is None or unit is None or user.unit_id != unit_id or user.kind != "staff":
                return DecisionResult(Decision.STALE)
            if not actor.is_admin and not any(
                above.id in actor.managed_unit_ids
                for above in await repo.ancestors(session, unit_id=unit_id)
            ):
                return DecisionResult(Decision.NOT_ALLOWED)
            count = await repo.confirmed_count(session, unit_id=unit_id)
            confirmed = user.verified_unit_id == unit_id
            result = DecisionResult(
                Decision.CONFIRMED,
                user.full_name or "",
                unit.name,
                count,
                unit.headcount,
                user.channel,
                user.external_id,
            )
            if not approve:
                await repo.reject(session, user_id=user_id, unit_id=unit_id)
                return _with(result, Decision.REJECTED, count - confirmed)
            if confirmed:
                return result
            if Headcount(count, unit.headcount).full and not force:
                return _with(result, Decision.OVER_HEADCOUNT, count)
            via = "admin" if actor.is_admin and not actor.managed_unit_ids else "manager"
            await repo.confirm(
                session, user_id=user_id, unit_id=unit_id, via=via, now=self._clock.now()
            )
            return _with(result, Decision.CONFIRMED, count + 1)

    async def confirm_by_admin(self, user_id: int) -> bool:
        """Confirm a person for their current unit from the command line."""
        async with self._db.transaction() as session:
            user = await session.get(User, user_id)
            if user is None or user.unit_id is None:
                return False
            return await repo.confirm(
                session, user_id=user_id, unit_id=user.unit_id, via="admin", now=self._clock.now()
            )

    async def pending(self, unit_id: int, *, limit: int = 200) -> list[PendingStaff]:
        """People waiting for confirmation in the unit and everything under it."""
        async with self._db.transaction() as session:
            units = await repo.subtree_ids(session, unit_id=unit_id)
            return [
                PendingStaff(
                    user.id, user.unit_id or 0, user.full_name or "", user.position or "", name
                )
                for user, name in await repo.pending_in(session, unit_ids=units, limit=limit)
            ]

    async def headcount(self, unit_id: int) -> Headcount:
        """The unit's confirmed staff against its headcount."""
        async with self._db.transaction() as session:
            unit = await session.get(Unit, unit_id)
            count = await repo.confirmed_count(session, unit_id=unit_id)
            return Headcount(count, unit.headcount if unit is not None else 0)

    async def _free_entries(self, session: AsyncSession, user: User) -> list[StaffRosterEntry]:
        """Roster entries of the person's unit with their name and something to prove it with,
        unless as many people of that name are confirmed already (one entry, one person)."""
        assert user.unit_id is not None
        key = fold_words(user.full_name or "")
        entries = [
            entry
            for entry in await repo.roster_entries(session, unit_id=user.unit_id)
            if entry.name_folded == key and _proofs(entry)
        ]
        if not entries:
            return []
        taken = sum(
            1
            for name in await repo.confirmed_names(session, unit_id=user.unit_id)
            if fold_words(name) == key
        )
        return entries if len(entries) > taken else []

    async def _ask_managers(
        self, session: AsyncSession, user: User, *, over_headcount: bool
    ) -> Claim:
        """Send the request to the managers nearest the person's unit (its own, else those of
        the nearest unit above it that has any)."""
        assert user.unit_id is not None
        chain = await repo.ancestors(session, unit_id=user.unit_id)
        managers: set[int] = set()
        for unit in chain:
            found = await audience_repo.managers(session, unit_ids=[unit.id])
            managers = set().union(*found.values()) if found else set()
            managers.discard(user.id)
            if managers:
                break
        if not managers or not chain:
            return Claim.NO_MANAGER
        unit = chain[0]
        count = await repo.confirmed_count(session, unit_id=unit.id)
        message = self._request_text(user, unit, Headcount(count, unit.headcount), over_headcount)
        people = await audience_repo.people(session, user_ids=managers)
        pushes = [Push(person, (message,), f"{user.id}:{unit.id}") for person in people]
        now = self._clock.now()
        await add(session, Purpose.VERIFY, pushes, at=now, urgent=False, quiet=self._quiet)
        if self._wake is not None:
            self._wake()
        return Claim.PENDING

    def _request_text(self, user: User, unit: Unit, count: Headcount, over_headcount: bool) -> Text:
        t = self._t
        body = t(
            "staff.request",
            name=user.full_name or "",
            position=user.position or "",
            unit=unit.name,
            counted=count.counted,
            headcount=count.headcount,
        )
        if over_headcount or count.full:
            body += "\n" + t("staff.request_full", counted=count.counted, headcount=count.headcount)
        return text(
            body,
            [Button(t("staff.approve_button"), f"stf:ok:{user.id}:{unit.id}")],
            [Button(t("staff.reject_button"), f"stf:no:{user.id}:{unit.id}")],
        )


def _with(result: DecisionResult, decision: Decision, counted: int) -> DecisionResult:
    return DecisionResult(
        decision,
        result.name,
        result.unit_name,
        counted,
        result.headcount,
        result.channel,
        result.external_id,
    )
