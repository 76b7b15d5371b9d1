"""Reads and edits the web console needs on units: who manages them, how many staff registered."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import RoleGrant, Unit, User


async def registered_staff(session: AsyncSession, *, unit_ids: list[int]) -> dict[int, int]:
    """Registered staff per unit (directly in it)."""
    if not unit_ids:
        return {}
    rows = await session.execute(
        select(User.unit_id, func.count())
        .where(User.unit_id.in_(unit_ids), User.kind == "staff")
        .group_by(User.unit_id)
    )
    return {unit_id: int(count) for unit_id, count in rows.all()}


async def managers(session: AsyncSession, *, unit_id: int) -> list[Row[Any]]:
    """The people holding the manager role for a unit."""
    rows = await session.execute(
        select(User.channel, User.external_id, User.full_name, RoleGrant.id)
        .join(RoleGrant, RoleGrant.user_id == User.id)
        .where(RoleGrant.role == "manager", RoleGrant.unit_id == unit_id)
        .order_by(User.full_name)
    )
    return list(rows.all())


async def set_headcount(session: AsyncSession, *, unit_id: int, headcount: int) -> int | None:
    """Change a unit's headcount; returns the old one (None if there is no such unit)."""
    old = await session.scalar(select(Unit.headcount).where(Unit.id == unit_id))
    if old is None:
        return None
    await session.execute(update(Unit).where(Unit.id == unit_id).values(headcount=headcount))
    return int(old)


async def remove_manager(
    session: AsyncSession, *, unit_id: int, channel: str, external_id: str
) -> bool:
    """Take the manager role for this one unit away from a person."""
    user_id = await session.scalar(
        select(User.id).where(User.channel == channel, User.external_id == external_id)
    )
    if user_id is None:
        return False
    result = await session.execute(
        delete(RoleGrant).where(
            RoleGrant.user_id == user_id, RoleGrant.role == "manager", RoleGrant.unit_id == unit_id
        )
    )
    return bool(result.rowcount)
