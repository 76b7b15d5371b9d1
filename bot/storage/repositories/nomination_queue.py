"""The council's queue of nominations: filtered, paged, with counts (the web console)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Nomination, NominationRound, NominationSupport, Unit


def _filtered(query: Any, filters: dict[str, Any]) -> Any:
    if filters.get("status"):
        query = query.where(Nomination.status == filters["status"])
    if filters.get("round_id"):
        query = query.where(Nomination.round_id == filters["round_id"])
    if filters.get("kind"):
        query = query.where(Nomination.kind == filters["kind"])
    if filters.get("unit_path"):
        query = query.where(Unit.path.startswith(filters["unit_path"], autoescape=True))
    return query


async def page(
    session: AsyncSession, *, offset: int, limit: int, **filters: Any
) -> tuple[list[Row[Any]], int]:
    """One page of nominations (oldest waiting first within a status), and how many match."""
    supporters = (
        select(func.count())
        .where(NominationSupport.nomination_id == Nomination.id)
        .correlate(Nomination)
        .scalar_subquery()
    )
    query = _filtered(
        select(
            Nomination.id,
            Nomination.code,
            Nomination.kind,
            Nomination.nominee_name,
            Nomination.status,
            Nomination.submitted_at,
            Unit.name.label("unit_name"),
            NominationRound.name.label("round_name"),
            supporters.label("supporters"),
        )
        .join(Unit, Unit.id == Nomination.unit_id)
        .join(NominationRound, NominationRound.id == Nomination.round_id),
        filters,
    )
    counted = _filtered(
        select(func.count()).select_from(Nomination).join(Unit, Unit.id == Nomination.unit_id),
        filters,
    )
    rows = await session.execute(
        query.order_by(Nomination.submitted_at, Nomination.id).offset(offset).limit(limit)
    )
    return list(rows.all()), int(await session.scalar(counted) or 0)


async def counts_by(session: AsyncSession, column: str, **filters: Any) -> dict[str, int]:
    """How many nominations per status (or per category: column "kind")."""
    field = getattr(Nomination, column)
    query = _filtered(
        select(field, func.count())
        .select_from(Nomination)
        .join(Unit, Unit.id == Nomination.unit_id)
        .group_by(field),
        filters,
    )
    return {key: int(count) for key, count in (await session.execute(query)).all()}


async def counts_by_status_and_kind(session: AsyncSession) -> dict[tuple[str, str], int]:
    """How many nominations per (status, category), over every round (the dashboard)."""
    query = select(Nomination.status, Nomination.kind, func.count()).group_by(
        Nomination.status, Nomination.kind
    )
    return {(status, kind): int(n) for status, kind, n in (await session.execute(query)).all()}
