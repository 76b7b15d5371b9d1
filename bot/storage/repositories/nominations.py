"""Nominations, their supporters, evidence and history."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Nomination,
    NominationAttachment,
    NominationHistory,
    NominationSupport,
    Unit,
    User,
)


async def find_duplicate(
    session: AsyncSession, *, round_id: int, unit_id: int, name_key: str
) -> Nomination | None:
    """The nomination of the same nominee (folded name and unit) in a round."""
    return await session.scalar(
        select(Nomination).where(
            Nomination.round_id == round_id,
            Nomination.unit_id == unit_id,
            Nomination.name_key == name_key,
        )
    )


async def add_nomination(session: AsyncSession, **fields: Any) -> Nomination:
    """Store a new nomination."""
    row = Nomination(**fields)
    session.add(row)
    await session.flush()
    return row


async def add_support(session: AsyncSession, **fields: Any) -> NominationSupport:
    """Store a supporter of an existing nomination."""
    row = NominationSupport(**fields)
    session.add(row)
    await session.flush()
    return row


async def support_by(
    session: AsyncSession, *, nomination_id: int, user_id: int
) -> NominationSupport | None:
    """A person's support of a nomination, if any."""
    return await session.scalar(
        select(NominationSupport).where(
            NominationSupport.nomination_id == nomination_id, NominationSupport.user_id == user_id
        )
    )


async def add_attachments(
    session: AsyncSession,
    *,
    nomination_id: int,
    support_id: int | None,
    items: Sequence[dict[str, Any]],
    now: datetime,
) -> None:
    """Store evidence sent with a nomination, a support or a supplement."""
    for item in items:
        session.add(
            NominationAttachment(
                nomination_id=nomination_id,
                support_id=support_id,
                channel=item["channel"],
                kind=item["kind"],
                ref=item["ref"],
                file_name=item.get("file_name"),
                mime_type=item.get("mime_type"),
                size=item.get("size"),
                created_at=now,
            )
        )
    await session.flush()


async def add_history(
    session: AsyncSession,
    *,
    nomination_id: int,
    action: str,
    actor_id: int | None,
    actor_label: str | None,
    note: str | None,
    at: datetime,
) -> None:
    """Record what happened to a nomination."""
    session.add(
        NominationHistory(
            nomination_id=nomination_id,
            action=action,
            actor_id=actor_id,
            actor_label=actor_label,
            note=note,
            at=at,
        )
    )
    await session.flush()


async def by_id(session: AsyncSession, *, nomination_id: int) -> Nomination | None:
    """One nomination."""
    return await session.get(Nomination, nomination_id, populate_existing=True)


async def by_code(session: AsyncSession, *, code: str) -> Nomination | None:
    """One nomination by its reference code (case-insensitive)."""
    return await session.scalar(
        select(Nomination).where(func.upper(Nomination.code) == code.strip().upper())
    )


async def next_with_status(
    session: AsyncSession, *, status: str, exclude: Sequence[int]
) -> Nomination | None:
    """The oldest nomination with a status, skipping some ids."""
    statement = select(Nomination).where(Nomination.status == status)
    if exclude:
        statement = statement.where(Nomination.id.not_in(list(exclude)))
    return await session.scalar(statement.order_by(Nomination.submitted_at, Nomination.id).limit(1))


async def count_with_status(session: AsyncSession, *, status: str) -> int:
    """How many nominations have a status."""
    statement = select(func.count()).select_from(Nomination).where(Nomination.status == status)
    return int(await session.scalar(statement) or 0)


async def set_status(
    session: AsyncSession, *, nomination_id: int, expected: str, status: str, now: datetime
) -> bool:
    """Change the status if nobody changed it since it was read; False on a lost race."""
    result = await session.execute(
        update(Nomination)
        .where(Nomination.id == nomination_id, Nomination.status == expected)
        .values(status=status, updated_at=now)
    )
    return bool(result.rowcount)


async def supports_of(session: AsyncSession, *, nomination_id: int) -> list[NominationSupport]:
    """Supporters of a nomination, oldest first."""
    rows = await session.scalars(
        select(NominationSupport)
        .where(NominationSupport.nomination_id == nomination_id)
        .order_by(NominationSupport.created_at, NominationSupport.id)
    )
    return list(rows.all())


async def attachments_of(
    session: AsyncSession, *, nomination_id: int
) -> list[NominationAttachment]:
    """Evidence of a nomination and its supports, oldest first."""
    rows = await session.scalars(
        select(NominationAttachment)
        .where(NominationAttachment.nomination_id == nomination_id)
        .order_by(NominationAttachment.id)
    )
    return list(rows.all())


async def history_of(session: AsyncSession, *, nomination_id: int) -> list[NominationHistory]:
    """What happened to a nomination, in order."""
    rows = await session.scalars(
        select(NominationHistory)
        .where(NominationHistory.nomination_id == nomination_id)
        .order_by(NominationHistory.at, NominationHistory.id)
    )
    return list(rows.all())


async def unit_name(session: AsyncSession, *, unit_id: int) -> str:
    """The current name of a nominee's unit."""
    return str(await session.scalar(select(Unit.name).where(Unit.id == unit_id)) or "")


async def involving(
    session: AsyncSession, *, user_id: int, limit: int
) -> list[tuple[Nomination, NominationSupport | None]]:
    """Nominations a person made or supports, newest first, with their support row if any."""
    statement = (
        select(Nomination, NominationSupport)
        .outerjoin(
            NominationSupport,
            (NominationSupport.nomination_id == Nomination.id)
            & (NominationSupport.user_id == user_id),
        )
        .where(or_(Nomination.nominator_id == user_id, NominationSupport.user_id == user_id))
        .order_by(Nomination.submitted_at.desc(), Nomination.id.desc())
        .limit(limit)
    )
    return [(row[0], row[1]) for row in (await session.execute(statement)).all()]


async def in_round(session: AsyncSession, *, round_id: int) -> list[Nomination]:
    """Every nomination of a round, in the order they were submitted."""
    rows = await session.scalars(
        select(Nomination)
        .where(Nomination.round_id == round_id)
        .order_by(Nomination.submitted_at, Nomination.id)
    )
    return list(rows.all())


async def people_to_notify(session: AsyncSession, *, nomination_id: int) -> list[tuple[User, str]]:
    """The nominator and supporters still known, each with the nominee's name as they typed it."""
    nomination = await by_id(session, nomination_id=nomination_id)
    if nomination is None:
        return []
    found: list[tuple[User, str]] = []
    if nomination.nominator_id is not None:
        user = await session.get(User, nomination.nominator_id)
        if user is not None:
            found.append((user, nomination.nominee_name))
    rows = await session.execute(
        select(User, NominationSupport.nominee_name)
        .join(NominationSupport, NominationSupport.user_id == User.id)
        .where(NominationSupport.nomination_id == nomination_id)
        .order_by(NominationSupport.id)
    )
    found.extend((user, name) for user, name in rows.all())
    return found


async def forget_person(
    session: AsyncSession, *, user_id: int, scrub: Callable[[str | None, list[str]], str | None]
) -> None:
    """Remove a person's identity from their nominations, supports and history entries, and
    pass every text they wrote (and the file names they sent) through `scrub` with their names
    (their profile's and those kept with their nominations)."""
    user = await session.get(User, user_id)
    nominations = list(
        (await session.scalars(select(Nomination).where(Nomination.nominator_id == user_id))).all()
    )
    supports = list(
        (
            await session.scalars(
                select(NominationSupport).where(NominationSupport.user_id == user_id)
            )
        ).all()
    )
    names = {user.full_name if user is not None else None}
    names |= {(n.nominator_contact or {}).get("full_name") for n in nominations}
    names |= {(s.contact or {}).get("full_name") for s in supports}
    known = sorted(name for name in names if name)
    for nomination in nominations:
        before = nomination.nominee_name
        for column in ("nominee_name", "position", "achievements", "results", "evidence_note"):
            setattr(nomination, column, scrub(getattr(nomination, column), known))
        if nomination.nominee_name != before:  # a self-nomination: the name key goes too
            nomination.name_key = f"erased:{nomination.id}"
        nomination.nominator_id = None
        nomination.nominator_contact = None
    for support in supports:
        for column in ("nominee_name", "position", "reason", "results", "evidence_note"):
            setattr(support, column, scrub(getattr(support, column), known))
        support.user_id = None
        support.contact = None
    sent = (NominationAttachment.nomination_id.in_([n.id for n in nominations])) & (
        NominationAttachment.support_id.is_(None)
    )
    sent |= NominationAttachment.support_id.in_([s.id for s in supports])
    for attachment in (await session.scalars(select(NominationAttachment).where(sent))).all():
        attachment.file_name = scrub(attachment.file_name, known)
    mentioned = NominationHistory.actor_id == user_id
    mentioned |= NominationHistory.nomination_id.in_([n.id for n in nominations])
    for entry in (await session.scalars(select(NominationHistory).where(mentioned))).all():
        if entry.actor_id == user_id:
            entry.actor_id, entry.actor_label = None, None
        entry.note = scrub(entry.note, known)
    await session.flush()
