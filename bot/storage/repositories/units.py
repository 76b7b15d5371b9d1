"""Units: lookup, search by folded name, subtree queries and upsert for imports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Unit


async def by_id(session: AsyncSession, *, unit_id: int) -> Unit | None:
    """One unit by its id."""
    return await session.get(Unit, unit_id)


async def by_code(session: AsyncSession, *, code: str) -> Unit | None:
    """One unit by its code (case-insensitive)."""
    return await session.scalar(select(Unit).where(func.upper(Unit.code) == code.upper()))


async def by_invite_code(session: AsyncSession, *, invite_code: str) -> Unit | None:
    """The unit whose invitation code this is (case-insensitive)."""
    return await session.scalar(
        select(Unit).where(func.lower(Unit.invite_code) == invite_code.lower())
    )


async def by_folded_name(session: AsyncSession, *, name_folded: str, limit: int) -> list[Unit]:
    """Units whose whole name, folded, is `name_folded` (several units may share a name)."""
    statement = select(Unit).where(Unit.name_folded == name_folded).order_by(Unit.id).limit(limit)
    return list((await session.scalars(statement)).all())


def _has_word_starting(word: str) -> Any:
    """The folded name has a word beginning with `word` ("an" finds "Tân An", not "Tân Lập")."""
    return or_(
        Unit.name_folded.startswith(word, autoescape=True),
        Unit.name_folded.contains(f" {word}", autoescape=True),
    )


async def search(session: AsyncSession, *, folded_words: Sequence[str], limit: int) -> list[Unit]:
    """Units with a word starting with each word typed, shortest names first."""
    statement = select(Unit)
    for word in folded_words:
        statement = statement.where(_has_word_starting(word))
    statement = statement.order_by(func.length(Unit.name), Unit.name).limit(limit)
    return list((await session.scalars(statement)).all())


async def count_matching(session: AsyncSession, *, folded_words: Sequence[str]) -> int:
    """How many units match a search (to tell the person to be more specific)."""
    statement = select(func.count()).select_from(Unit)
    for word in folded_words:
        statement = statement.where(_has_word_starting(word))
    return int(await session.scalar(statement) or 0)


async def children(session: AsyncSession, *, parent_id: int | None) -> list[Unit]:
    """Direct children of a unit (roots when `parent_id` is None), by name."""
    condition = Unit.parent_id.is_(None) if parent_id is None else Unit.parent_id == parent_id
    return list((await session.scalars(select(Unit).where(condition).order_by(Unit.name))).all())


async def subtree(session: AsyncSession, *, unit: Unit, include_self: bool = True) -> list[Unit]:
    """The unit and everything below it, at any depth."""
    statement = select(Unit).where(Unit.path.startswith(unit.path, autoescape=True))
    if not include_self:
        statement = statement.where(Unit.id != unit.id)
    return list((await session.scalars(statement.order_by(Unit.path))).all())


async def all_units(session: AsyncSession) -> list[Unit]:
    """Every unit, parents before children."""
    return list((await session.scalars(select(Unit).order_by(Unit.depth, Unit.id))).all())


async def invite_code_taken(session: AsyncSession, *, invite_code: str, except_code: str) -> bool:
    """Whether another unit already uses this invitation code."""
    found = await session.scalar(
        select(Unit.code).where(
            func.lower(Unit.invite_code) == invite_code.lower(), Unit.code != except_code
        )
    )
    return found is not None


async def paths_of(session: AsyncSession, *, unit_ids: set[int]) -> dict[int, str]:
    """The tree path of each unit."""
    rows = await session.execute(select(Unit.id, Unit.path).where(Unit.id.in_(unit_ids)))
    return {unit_id: path for unit_id, path in rows.all()}
