"""Unit targets: stored definitions and which units a target covers."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, bindparam, delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.storage.models import QuizTarget, Unit


async def by_code(session: AsyncSession, *, code: str) -> QuizTarget | None:
    """A target by its code."""
    return await session.scalar(select(QuizTarget).where(QuizTarget.code == code))


async def by_id(session: AsyncSession, *, target_id: int) -> QuizTarget | None:
    """A target by id."""
    return await session.get(QuizTarget, target_id)


async def upsert(session: AsyncSession, *, code: str, **fields: Any) -> tuple[QuizTarget, bool]:
    """Create the target with this code or update it; True when it was created."""
    target = await by_code(session, code=code)
    created = target is None
    if target is None:
        target = QuizTarget(code=code)
        session.add(target)
    for key, value in fields.items():
        setattr(target, key, value)
    await session.flush()
    return target, created


async def remove(session: AsyncSession, *, code: str) -> bool:
    """Delete a target; False if there was none."""
    result = await session.execute(delete(QuizTarget).where(QuizTarget.code == code))
    return bool(result.rowcount)


async def all_targets(session: AsyncSession) -> list[QuizTarget]:
    """Every target, the latest due first."""
    rows = await session.scalars(
        select(QuizTarget).order_by(QuizTarget.due_on.desc(), QuizTarget.id)
    )
    return list(rows.all())


_ACTIVE_ON = (
    select(QuizTarget)
    .where(QuizTarget.starts_on <= bindparam("on"), QuizTarget.due_on >= bindparam("on"))
    .order_by(QuizTarget.due_on, QuizTarget.id)
)


async def active_on(session: AsyncSession, *, on: date) -> list[QuizTarget]:
    """Targets whose period contains `on`, the nearest due date first (answering a question
    reads the same with the attempt, see `quiz_attempts.read`)."""
    rows = await session.scalars(_ACTIVE_ON, {"on": on})
    return list(rows.all())


def covers(target: QuizTarget, scope_path: str, unit: Unit) -> bool:
    """Whether a target (scope unit at `scope_path`) applies to `unit`."""
    if unit.id == target.unit_id:
        return True
    return target.include_subunits and unit.path.startswith(scope_path)


def covered_units(target: QuizTarget, scope_path: str, within: str | None = None) -> Select[Any]:
    """SELECT the ids of units a target applies to, optionally only those under path `within`."""
    if target.include_subunits:
        condition = or_(
            Unit.id == target.unit_id, Unit.path.startswith(scope_path, autoescape=True)
        )
    else:
        condition = Unit.id == target.unit_id
    statement = select(Unit.id).where(condition)
    if within:
        statement = statement.where(Unit.path.startswith(within, autoescape=True))
    return statement


async def subgroups(session: AsyncSession, *, parent_id: int, limit: int) -> list[Unit]:
    """Direct children of a unit that have children themselves, by name."""
    child = aliased(Unit)
    rows = await session.scalars(
        select(Unit)
        .where(
            Unit.parent_id == parent_id, exists(select(child.id).where(child.parent_id == Unit.id))
        )
        .order_by(Unit.name)
        .limit(limit)
    )
    return list(rows.all())
