"""Who is confirmed as staff of which unit: the columns on `users`, the roster entries a claim is
checked against, and the people waiting for a manager's confirmation."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import StaffRosterEntry, Unit, User

STAFF = "staff"


def _staff_of(unit_id: int):  # type: ignore[no-untyped-def]
    return (User.kind == STAFF) & User.consent_at.is_not(None) & (User.unit_id == unit_id)


def _pending():  # type: ignore[no-untyped-def]
    """Not confirmed for their current unit, and not turned down by it either."""
    return or_(User.verified_unit_id.is_(None), User.verified_unit_id != User.unit_id) & or_(
        User.rejected_unit_id.is_(None), User.rejected_unit_id != User.unit_id
    )


async def roster_entries(session: AsyncSession, *, unit_id: int) -> list[StaffRosterEntry]:
    """A unit's roster (its own list of staff)."""
    rows = await session.scalars(
        select(StaffRosterEntry)
        .where(StaffRosterEntry.unit_id == unit_id)
        .order_by(StaffRosterEntry.id)
    )
    return list(rows.all())


async def confirmed_names(session: AsyncSession, *, unit_id: int) -> list[str]:
    """Full names of the unit's confirmed staff."""
    rows = await session.scalars(
        select(User.full_name).where(_staff_of(unit_id), User.verified_unit_id == unit_id)
    )
    return [name or "" for name in rows.all()]


async def confirmed_count(session: AsyncSession, *, unit_id: int) -> int:
    """How many staff are confirmed for the unit (what it counts against its headcount)."""
    statement = (
        select(func.count())
        .select_from(User)
        .where(_staff_of(unit_id), User.verified_unit_id == unit_id)
    )
    return int(await session.scalar(statement) or 0)


async def confirm(
    session: AsyncSession, *, user_id: int, unit_id: int, via: str, now: datetime
) -> bool:
    """Confirm a person as staff of a unit; False unless they are (still) its staff."""
    result = await session.execute(
        update(User)
        .where(User.id == user_id, _staff_of(unit_id))
        .values(verified_unit_id=unit_id, verified_at=now, verified_via=via, rejected_unit_id=None)
    )
    return bool(result.rowcount)


async def reject(session: AsyncSession, *, user_id: int, unit_id: int) -> bool:
    """Record that the unit says the person is not its staff; False unless they claim it."""
    result = await session.execute(
        update(User)
        .where(User.id == user_id, _staff_of(unit_id))
        .values(
            rejected_unit_id=unit_id, verified_unit_id=None, verified_at=None, verified_via=None
        )
    )
    return bool(result.rowcount)


async def pending_in(
    session: AsyncSession, *, unit_ids: Sequence[int], limit: int = 200
) -> list[tuple[User, str]]:
    """Staff of these units waiting for confirmation, oldest registration first, with their
    unit's name."""
    if not unit_ids:
        return []
    rows = await session.execute(
        select(User, Unit.name)
        .join(Unit, Unit.id == User.unit_id)
        .where(
            User.kind == STAFF,
            User.consent_at.is_not(None),
            User.unit_id.in_(list(unit_ids)),
            _pending(),
        )
        .order_by(User.registered_at, User.id)
        .limit(limit)
    )
    return [(user, name) for user, name in rows.all()]


async def subtree_ids(session: AsyncSession, *, unit_id: int) -> list[int]:
    """The unit and every unit under it."""
    path = await session.scalar(select(Unit.path).where(Unit.id == unit_id))
    if path is None:
        return []
    rows = await session.scalars(select(Unit.id).where(Unit.path.startswith(path, autoescape=True)))
    return list(rows.all())


async def ancestors(session: AsyncSession, *, unit_id: int) -> list[Unit]:
    """The unit and the units above it, nearest first."""
    found: list[Unit] = []
    current = await session.get(Unit, unit_id)
    while current is not None and len(found) < 50:
        found.append(current)
        current = await session.get(Unit, current.parent_id) if current.parent_id else None
    return found
