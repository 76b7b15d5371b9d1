"""Who is in an audience: registered people selected by kind, unit, subtree or role."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import RoleGrant, TipSubscription, Unit, User
from bot.storage.models.users import CONFIRMED_UNIT, DATA_ONLY_CHANNELS


@dataclass(frozen=True, slots=True)
class Person:
    """What the scheduler needs of a recipient."""

    id: int
    channel: str
    external_id: str
    unit_id: int | None
    full_name: str | None


def _registered(only: int | None = None):  # type: ignore[no-untyped-def]
    statement = select(User.id).where(
        User.consent_at.is_not(None),
        User.kind.is_not(None),
        User.channel.not_in(DATA_ONLY_CHANNELS),
    )
    return statement if only is None else statement.where(User.id == only)


async def registered(
    session: AsyncSession, *, seen_since: datetime | None = None, only: int | None = None
) -> set[int]:
    """Everyone who consented and registered (optionally: seen since a moment; `only`: just
    that person, when they are in it — a membership check without reading everyone)."""
    statement = _registered(only)
    if seen_since is not None:
        statement = statement.where(User.last_seen_at >= seen_since)
    return set((await session.scalars(statement)).all())


async def staff(
    session: AsyncSession,
    *,
    unit_ids: Sequence[int] | None = None,
    subunits: bool = False,
    only: int | None = None,
) -> set[int]:
    """Registered staff confirmed for their unit; with `unit_ids`, only of those units (and
    everything under them).

    Staff still awaiting confirmation are left out: a deadline's acknowledgements count in the
    unit's report, so someone who only claims a unit must not receive its deadlines nor answer
    for it (the same rule that keeps them out of the unit's quiz progress).
    """
    statement = _registered(only).where(
        User.kind == "staff",
        User.unit_id.is_not(None),
        CONFIRMED_UNIT.is_not(None),  # verified_unit_id = unit_id, as the quiz progress counts
    )
    if unit_ids is not None:
        if not unit_ids:
            return set()
        if subunits:
            paths = (await session.scalars(select(Unit.path).where(Unit.id.in_(unit_ids)))).all()
            if not paths:
                return set()
            statement = statement.join(Unit, Unit.id == User.unit_id).where(
                or_(*(Unit.path.startswith(path, autoescape=True) for path in paths))
            )
        else:
            statement = statement.where(User.unit_id.in_(list(unit_ids)))
    return set((await session.scalars(statement)).all())


async def managers(
    session: AsyncSession, *, unit_ids: Iterable[int] | None = None, only: int | None = None
) -> dict[int, set[int]]:
    """Unit id → the registered people managing it (all units, or only these)."""
    statement = (
        select(RoleGrant.unit_id, RoleGrant.user_id)
        .join(User, User.id == RoleGrant.user_id)
        .where(
            RoleGrant.role == "manager",
            RoleGrant.unit_id.is_not(None),
            User.consent_at.is_not(None),
            User.channel.not_in(DATA_ONLY_CHANNELS),
        )
    )
    if unit_ids is not None:
        statement = statement.where(RoleGrant.unit_id.in_(list(unit_ids)))
    if only is not None:
        statement = statement.where(RoleGrant.user_id == only)
    found: dict[int, set[int]] = {}
    for unit_id, user_id in (await session.execute(statement)).all():
        found.setdefault(unit_id, set()).add(user_id)
    return found


async def subscribers(session: AsyncSession, *, only: int | None = None) -> set[int]:
    """People subscribed to the daily tip."""
    statement = select(TipSubscription.user_id)
    if only is not None:
        statement = statement.where(TipSubscription.user_id == only)
    return set((await session.scalars(statement)).all())


async def people(session: AsyncSession, *, user_ids: Iterable[int]) -> list[Person]:
    """Channel, address, unit and name of each person, by id order."""
    ids = sorted(set(user_ids))
    found: list[Person] = []
    for start in range(0, len(ids), 1000):
        rows = await session.execute(
            select(User.id, User.channel, User.external_id, User.unit_id, User.full_name)
            .where(User.id.in_(ids[start : start + 1000]), User.channel.not_in(DATA_ONLY_CHANNELS))
            .order_by(User.id)
        )
        found.extend(Person(*row) for row in rows.all())
    return found


async def unreachable(session: AsyncSession, *, user_ids: Iterable[int]) -> int:
    """How many of these people a platform said cannot be reached any more."""
    ids = list(set(user_ids))
    count = 0
    for start in range(0, len(ids), 1000):
        count += int(
            await session.scalar(
                select(func.count())
                .select_from(User)
                .where(User.id.in_(ids[start : start + 1000]), User.unreachable_reason.is_not(None))
            )
            or 0
        )
    return count


async def unit_names(session: AsyncSession, *, unit_ids: Iterable[int]) -> dict[int, str]:
    """Unit id → name."""
    ids = list(set(unit_ids))
    if not ids:
        return {}
    rows = await session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids)))
    return dict(rows.all())  # type: ignore[arg-type]
