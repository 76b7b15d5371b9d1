"""Nomination rounds, drafts and the yearly reference-number counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import Nomination, NominationCounter, NominationDraft, NominationRound
from bot.storage.repositories._dialect import insert_for, insert_ignore


async def add_round(
    session: AsyncSession,
    *,
    code: str,
    name: str,
    categories: list[str],
    opens_on: date,
    closes_on: date,
    now: datetime,
) -> NominationRound:
    """Store a new round."""
    row = NominationRound(
        code=code,
        name=name,
        categories=categories,
        opens_on=opens_on,
        closes_on=closes_on,
        created_at=now,
    )
    session.add(row)
    await session.flush()
    return row


async def round_by_code(session: AsyncSession, *, code: str) -> NominationRound | None:
    """A round by its code (case-insensitive)."""
    return await session.scalar(
        select(NominationRound).where(func.lower(NominationRound.code) == code.lower())
    )


async def round_by_id(session: AsyncSession, *, round_id: int) -> NominationRound | None:
    """A round by id."""
    return await session.get(NominationRound, round_id)


async def list_rounds(session: AsyncSession) -> list[NominationRound]:
    """Every round, newest first."""
    rows = await session.scalars(
        select(NominationRound).order_by(NominationRound.opens_on.desc(), NominationRound.id.desc())
    )
    return list(rows.all())


async def overlapping(
    session: AsyncSession, *, opens_on: date, closes_on: date, except_id: int | None = None
) -> list[NominationRound]:
    """Rounds not closed early whose dates overlap the given ones."""
    statement = select(NominationRound).where(
        NominationRound.closed_at.is_(None),
        NominationRound.opens_on <= closes_on,
        NominationRound.closes_on >= opens_on,
    )
    if except_id is not None:
        statement = statement.where(NominationRound.id != except_id)
    return list((await session.scalars(statement)).all())


async def open_on(session: AsyncSession, *, day: date) -> NominationRound | None:
    """The round accepting nominations on a local day."""
    return await session.scalar(
        select(NominationRound)
        .where(
            NominationRound.closed_at.is_(None),
            NominationRound.opens_on <= day,
            NominationRound.closes_on >= day,
        )
        .order_by(NominationRound.opens_on.desc())
        .limit(1)
    )


async def next_after(session: AsyncSession, *, day: date) -> NominationRound | None:
    """The first round that opens after a local day."""
    return await session.scalar(
        select(NominationRound)
        .where(NominationRound.closed_at.is_(None), NominationRound.opens_on > day)
        .order_by(NominationRound.opens_on)
        .limit(1)
    )


async def nomination_counts(session: AsyncSession) -> dict[int, int]:
    """How many nominees each round has."""
    rows = await session.execute(
        select(Nomination.round_id, func.count()).group_by(Nomination.round_id)
    )
    return {round_id: count for round_id, count in rows.all()}


async def get_draft(session: AsyncSession, *, user_id: int) -> NominationDraft | None:
    """The unfinished form of a person, if any."""
    return await session.get(NominationDraft, user_id, populate_existing=True)


async def save_draft(
    session: AsyncSession, *, user_id: int, data: dict[str, Any], now: datetime
) -> None:
    """Create or replace a person's unfinished form."""
    statement = insert_for(session, NominationDraft.__table__).values(
        user_id=user_id, data=data, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id"], set_={"data": data, "updated_at": now}
        )
    )


async def delete_draft(session: AsyncSession, *, user_id: int) -> None:
    """Forget a person's unfinished form."""
    await session.execute(delete(NominationDraft).where(NominationDraft.user_id == user_id))


async def lock_year(session: AsyncSession, *, year: int) -> None:
    """Serialise submissions of one year: the counter row is locked until the transaction ends.

    Duplicate detection and numbering then see every submission committed before, on PostgreSQL
    (row lock) and SQLite (the write lock is taken by this first write).
    """
    await insert_ignore(session, NominationCounter.__table__, {"year": year, "last": 0})
    await session.execute(
        update(NominationCounter)
        .where(NominationCounter.year == year)
        .values(last=NominationCounter.last)
    )


async def next_number(session: AsyncSession, *, year: int) -> int:
    """The next reference number of a year (call `lock_year` first in the same transaction)."""
    result = await session.execute(
        update(NominationCounter)
        .where(NominationCounter.year == year)
        .values(last=NominationCounter.last + 1)
        .returning(NominationCounter.last)
    )
    return int(result.scalar_one())
