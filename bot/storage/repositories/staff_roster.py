"""The staff roster imported from units' lists, and the names it is matched against."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import StaffRosterEntry, Unit, User
from bot.storage.repositories.quiz_progress import registered_staff


async def replace_for_units(
    session: AsyncSession, *, unit_ids: Sequence[int], entries: Sequence[dict[str, Any]]
) -> None:
    """Replace the roster of the given units by `entries` (an import is the full list)."""
    if unit_ids:
        await session.execute(
            delete(StaffRosterEntry).where(StaffRosterEntry.unit_id.in_(list(unit_ids)))
        )
    session.add_all(StaffRosterEntry(**entry) for entry in entries)
    await session.flush()


async def entries_for(session: AsyncSession, *, unit_ids: Select[Any]) -> list[StaffRosterEntry]:
    """Roster entries of the given units, by name."""
    rows = await session.scalars(
        select(StaffRosterEntry)
        .where(StaffRosterEntry.unit_id.in_(unit_ids))
        .order_by(StaffRosterEntry.full_name, StaffRosterEntry.id)
    )
    return list(rows.all())


async def registered_names(
    session: AsyncSession, *, unit_ids: Sequence[int]
) -> list[tuple[int, str]]:
    """(unit id, full name) of registered staff of the given units."""
    if not unit_ids:
        return []
    units = select(Unit.id).where(Unit.id.in_(list(unit_ids)))
    rows = await session.execute(
        select(User.unit_id, User.full_name).where(registered_staff(units))
    )
    return [(int(unit_id), name or "") for unit_id, name in rows]
