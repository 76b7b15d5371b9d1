"""Deadlines, their reminder times, acknowledgements and periodic-job marks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Row, case, delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    Deadline,
    DeadlineAck,
    DeadlineReminder,
    JobRun,
    OutboxMessage,
    Unit,
    User,
)
from bot.storage.repositories._dialect import insert_ignore


async def by_code(session: AsyncSession, *, code: str) -> Deadline | None:
    """One deadline by its code."""
    return await session.scalar(select(Deadline).where(Deadline.code == code))


async def by_id(session: AsyncSession, *, deadline_id: int) -> Deadline | None:
    """One deadline by id."""
    return await session.get(Deadline, deadline_id)


async def upsert(
    session: AsyncSession, *, code: str, fields: dict[str, Any]
) -> tuple[Deadline, bool]:
    """Create or update a deadline by code; returns it and whether it was new."""
    deadline = await by_code(session, code=code)
    created = deadline is None
    if deadline is None:
        deadline = Deadline(code=code)
        session.add(deadline)
    for name, value in fields.items():
        setattr(deadline, name, value)
    await session.flush()
    return deadline, created


async def active(
    session: AsyncSession, *, due_after: datetime | None = None, limit: int = 200
) -> list[Deadline]:
    """Deadlines not cancelled (optionally only those due after a moment), soonest first."""
    statement = select(Deadline).where(Deadline.cancelled_at.is_(None))
    if due_after is not None:
        statement = statement.where(Deadline.due_at > due_after)
    return list((await session.scalars(statement.order_by(Deadline.due_at).limit(limit))).all())


async def all_deadlines(session: AsyncSession, *, limit: int = 500) -> list[Deadline]:
    """Every deadline, newest due first (command line)."""
    statement = select(Deadline).order_by(Deadline.due_at.desc()).limit(limit)
    return list((await session.scalars(statement)).all())


async def replace_pending_reminders(
    session: AsyncSession, *, deadline_id: int, times: Sequence[tuple[str, datetime]]
) -> None:
    """Forget reminders not yet fired and schedule these instead (times already fired stay)."""
    await session.execute(
        delete(DeadlineReminder).where(
            DeadlineReminder.deadline_id == deadline_id, DeadlineReminder.state == "pending"
        )
    )
    for label, fire_at in times:
        await insert_ignore(
            session,
            DeadlineReminder.__table__,
            {"deadline_id": deadline_id, "label": label, "fire_at": fire_at, "state": "pending"},
        )


async def with_due_reminders(session: AsyncSession, *, now: datetime) -> list[int]:
    """Deadlines that have reminders due and not yet sent, soonest reminder first."""
    statement = (
        select(DeadlineReminder.deadline_id)
        .where(DeadlineReminder.state == "pending", DeadlineReminder.fire_at <= now)
        .group_by(DeadlineReminder.deadline_id)
        .order_by(func.min(DeadlineReminder.fire_at))
    )
    return list((await session.scalars(statement)).all())


async def due_reminders(
    session: AsyncSession, *, deadline_id: int, now: datetime
) -> list[DeadlineReminder]:
    """A deadline's pending reminders whose time has come, locked for this sweep (SKIP LOCKED on
    PostgreSQL: another sweep busy with them is not waited for)."""
    statement = (
        select(DeadlineReminder)
        .where(
            DeadlineReminder.deadline_id == deadline_id,
            DeadlineReminder.state == "pending",
            DeadlineReminder.fire_at <= now,
        )
        .order_by(DeadlineReminder.fire_at, DeadlineReminder.id)
        .with_for_update(skip_locked=True)
    )
    return list((await session.scalars(statement)).all())


async def mark_reminder(
    session: AsyncSession, *, reminder_id: int, state: str, now: datetime
) -> bool:
    """Close a pending reminder ("done" or "superseded"); False if someone else already did."""
    result = await session.execute(
        update(DeadlineReminder)
        .where(DeadlineReminder.id == reminder_id, DeadlineReminder.state == "pending")
        .values(state=state, done_at=now)
    )
    return bool(result.rowcount)


async def reminders_of(session: AsyncSession, *, deadline_id: int) -> list[DeadlineReminder]:
    """Every reminder time of a deadline, in order."""
    statement = select(DeadlineReminder).where(DeadlineReminder.deadline_id == deadline_id)
    return list((await session.scalars(statement.order_by(DeadlineReminder.fire_at))).all())


async def cancel(session: AsyncSession, *, deadline_id: int, now: datetime) -> None:
    """Cancel a deadline and its reminders not yet fired."""
    await session.execute(
        update(Deadline).where(Deadline.id == deadline_id).values(cancelled_at=now)
    )
    await session.execute(
        update(DeadlineReminder)
        .where(DeadlineReminder.deadline_id == deadline_id, DeadlineReminder.state == "pending")
        .values(state="cancelled", done_at=now)
    )


async def acknowledge(
    session: AsyncSession, *, deadline_id: int, user_id: int, now: datetime
) -> bool:
    """Record that a person got a deadline's reminder; False if they already had."""
    return await insert_ignore(
        session,
        DeadlineAck.__table__,
        {"deadline_id": deadline_id, "user_id": user_id, "acked_at": now},
    )


async def acked_users(session: AsyncSession, *, deadline_id: int) -> set[int]:
    """Who acknowledged a deadline."""
    statement = select(DeadlineAck.user_id).where(DeadlineAck.deadline_id == deadline_id)
    return set((await session.scalars(statement)).all())


async def acked_by(session: AsyncSession, *, user_id: int) -> set[int]:
    """Which deadlines a person acknowledged."""
    statement = select(DeadlineAck.deadline_id).where(DeadlineAck.user_id == user_id)
    return set((await session.scalars(statement)).all())


async def delete_acks_of(session: AsyncSession, *, user_id: int) -> None:
    """Forget a person's acknowledgements (personal-data deletion)."""
    await session.execute(delete(DeadlineAck).where(DeadlineAck.user_id == user_id))


async def mark_job(session: AsyncSession, *, job: str, period: str, now: datetime) -> bool:
    """Claim a periodic job's period; False if it was already done (by any process)."""
    return await insert_ignore(
        session, JobRun.__table__, {"job": job, "period": period, "done_at": now}
    )


async def job_done(session: AsyncSession, *, job: str, period: str) -> bool:
    """Whether a periodic job's period was already done."""
    return await session.get(JobRun, (job, period)) is not None


async def acknowledgers(session: AsyncSession, *, deadline_id: int) -> list[Row[Any]]:
    """Who pressed "Đã nhận" on a deadline (name, unit name, when), earliest first."""
    rows = await session.execute(
        select(User.full_name, Unit.name, DeadlineAck.acked_at)
        .join(User, User.id == DeadlineAck.user_id)
        .outerjoin(Unit, Unit.id == User.unit_id)
        .where(DeadlineAck.deadline_id == deadline_id)
        .order_by(DeadlineAck.acked_at)
    )
    return list(rows.all())


async def delivery_counts(session: AsyncSession, *, deadline_id: int) -> DeliveryCounts:
    """People a deadline's reminders were meant for, reached (a row sent), and acknowledging
    among them, in one pass over its outbox rows grouped per person; and every
    acknowledgement (more than those of reminded people means some came from elsewhere)."""
    row = OutboxMessage
    per_person = (
        select(row.recipient_id, func.max(case((row.status == "sent", 1), else_=0)).label("sent"))
        .where(row.deadline_id == deadline_id, row.purpose == "deadline")
        .group_by(row.recipient_id)
        .subquery("people")
    )
    ack = DeadlineAck
    counts = select(
        func.count(),
        func.coalesce(func.sum(per_person.c.sent), 0),
        func.count(ack.user_id),
    ).select_from(
        per_person.outerjoin(
            ack, (ack.deadline_id == deadline_id) & (ack.user_id == per_person.c.recipient_id)
        )
    )
    meant, reached, acked = (await session.execute(counts)).one()
    every = await session.scalar(
        select(func.count()).select_from(ack).where(ack.deadline_id == deadline_id)
    )
    return DeliveryCounts(int(meant), int(reached), int(acked), int(every or 0))


@dataclass(frozen=True, slots=True)
class DeliveryCounts:
    """See `delivery_counts`."""

    recipients: int
    reached: int
    acked_by_recipients: int
    acked: int


async def acks_not_reminded(session: AsyncSession, *, deadline_id: int) -> set[int]:
    """Who acknowledged a deadline without having a reminder row for it."""
    reminded = select(OutboxMessage.recipient_id).where(
        OutboxMessage.deadline_id == deadline_id, OutboxMessage.purpose == "deadline"
    )
    found = await session.scalars(
        select(DeadlineAck.user_id).where(
            DeadlineAck.deadline_id == deadline_id, DeadlineAck.user_id.not_in(reminded)
        )
    )
    return set(found.all())
