"""The outbox: pushes waiting to be sent, claimed by senders under a lease, and their outcomes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import OutboxMessage, User
from bot.storage.repositories._dialect import insert_for

PENDING, SENDING, SENT = "pending", "sending", "sent"
UNDELIVERABLE, REJECTED, FAILED = "undeliverable", "rejected", "failed"
FINAL = (SENT, UNDELIVERABLE, REJECTED, FAILED)
# Channels whose messages wait for the person to fetch them (the web page polls): no sender.
PULL_CHANNELS = ("web",)


@dataclass(frozen=True, slots=True)
class Claimed:
    """A row a sender now holds: what to send, to whom, and whether they are known unreachable."""

    id: int
    purpose: str
    recipient_id: int
    channel: str
    chat_id: str
    payload: list[Any]
    attempts: int
    parts_sent: int
    lease_until: datetime
    unreachable_reason: str | None


async def enqueue(session: AsyncSession, *, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, skipping any whose (purpose, recipient, occurrence) exists; returns how many
    were new. Runs inside the caller's transaction (the one that decided to send)."""
    if not rows:
        return 0
    statement = (
        insert_for(session, OutboxMessage.__table__)
        .on_conflict_do_nothing(index_elements=["purpose", "recipient_id", "occurrence"])
        .returning(OutboxMessage.__table__.c.id)
    )
    inserted = 0
    for start in range(0, len(rows), 500):
        result = await session.execute(statement, list(rows[start : start + 500]))
        inserted += len(result.all())
    return inserted


async def claim(
    session: AsyncSession,
    *,
    channels: Sequence[str],
    now: datetime,
    lease_until: datetime,
    worker: str,
    limit: int,
    urgent_only: bool,
) -> list[Claimed]:
    """Take up to `limit` due rows (pending, or held under an expired lease) for these channels.

    On PostgreSQL the candidate rows are locked with FOR UPDATE SKIP LOCKED, so concurrent
    senders never take the same row; SQLite ignores the clause and serialises writers itself.
    """
    table = OutboxMessage
    candidates = (
        select(table.id)
        .where(
            table.channel.in_(list(channels)),
            or_(
                and_(table.status == PENDING, table.available_at <= now),
                and_(table.status == SENDING, table.claimed_until < now),
            ),
        )
        .order_by(table.available_at, table.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    if urgent_only:
        candidates = candidates.where(table.urgent.is_(True))
    chosen = candidates.cte("chosen")
    statement = (
        update(table)
        .where(table.id == chosen.c.id)
        .values(
            status=SENDING,
            claimed_until=lease_until,
            claimed_by=worker,
            attempts=table.attempts + 1,
        )
        .returning(
            table.id,
            table.purpose,
            table.recipient_id,
            table.channel,
            table.chat_id,
            table.payload,
            table.attempts,
            table.parts_sent,
        )
    )
    rows = (await session.execute(statement)).all()
    if not rows:
        return []
    reasons = dict(
        (
            await session.execute(
                select(User.id, User.unreachable_reason).where(User.id.in_({r[2] for r in rows}))
            )
        ).all()
    )
    claimed = [
        Claimed(*row, lease_until=lease_until, unreachable_reason=reasons.get(row[2]))
        for row in rows
    ]
    return sorted(claimed, key=lambda item: item.id)


async def finish(
    session: AsyncSession,
    *,
    message_id: int,
    worker: str,
    status: str,
    now: datetime,
    reason: str | None = None,
) -> bool:
    """Record a final outcome of a row this worker holds; False if its lease was lost."""
    result = await session.execute(
        _held(message_id, worker).values(
            status=status,
            reason=reason,
            claimed_until=None,
            sent_at=now if status == SENT else None,
        )
    )
    return bool(result.rowcount)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The final outcome of a sent (or refused) row."""

    message_id: int
    status: str
    at: datetime
    reason: str | None = None


async def finish_many(session: AsyncSession, *, worker: str, outcomes: Sequence[Outcome]) -> None:
    """Record several final outcomes in one statement (rows this worker still holds)."""
    if not outcomes:
        return
    table = OutboxMessage.__table__
    statement = (
        update(table)
        .where(
            table.c.id == bindparam("b_id"), table.c.claimed_by == worker, table.c.status == SENDING
        )
        .values(
            status=bindparam("b_status"),
            reason=bindparam("b_reason"),
            claimed_until=None,
            sent_at=bindparam("b_sent_at", type_=table.c.sent_at.type),
        )
    )
    await session.execute(
        statement,
        [
            {
                "b_id": o.message_id,
                "b_status": o.status,
                "b_reason": o.reason,
                "b_sent_at": o.at if o.status == SENT else None,
            }
            for o in outcomes
        ],
    )


async def retry_at(
    session: AsyncSession,
    *,
    message_id: int,
    worker: str,
    available_at: datetime,
    reason: str,
    parts_sent: int = 0,
) -> None:
    """Give a held row back, to be tried again from `available_at`, after its first
    `parts_sent` platform messages (delivered already)."""
    await session.execute(
        _held(message_id, worker).values(
            status=PENDING,
            available_at=available_at,
            claimed_until=None,
            reason=reason,
            parts_sent=parts_sent,
        )
    )


async def extend_lease(
    session: AsyncSession, *, message_id: int, worker: str, lease_until: datetime
) -> bool:
    """Keep holding a row (a long wait, or a row that waited in the queue); False if another
    sender has taken it meanwhile."""
    result = await session.execute(_held(message_id, worker).values(claimed_until=lease_until))
    return bool(result.rowcount)


async def extend_leases(
    session: AsyncSession, *, message_ids: Sequence[int], worker: str, lease_until: datetime
) -> set[int]:
    """Keep holding every row of `message_ids` this worker still holds (one statement); the
    ids still held. A row another sender took over meanwhile is not among them."""
    if not message_ids:
        return set()
    result = await session.execute(
        _held_rows(OutboxMessage.id.in_(list(message_ids)), worker)
        .values(claimed_until=lease_until)
        .returning(OutboxMessage.id)
    )
    return {row[0] for row in result}


async def take_for_chat(
    session: AsyncSession, *, channel: str, chat_id: str, now: datetime
) -> list[list[Any]]:
    """Payloads of the due rows for one chat of a pull channel (the web inbox), oldest first,
    marked sent in the same statement so that two polls never take the same row."""
    table = OutboxMessage
    candidates = (
        select(table.id)
        .where(
            table.channel == channel,
            table.chat_id == chat_id,
            table.status == PENDING,
            table.available_at <= now,
        )
        .with_for_update(skip_locked=True)
    )
    chosen = candidates.cte("chosen")
    statement = (
        update(table)
        .where(table.id == chosen.c.id)
        .values(status=SENT, sent_at=now, attempts=table.attempts + 1)
        .returning(table.id, table.payload)
    )
    rows = (await session.execute(statement)).all()
    return [body for _, body in sorted(rows, key=lambda row: row[0])]


async def waiting_for_chat(
    session: AsyncSession, *, channel: str, chat_id: str, now: datetime
) -> list[tuple[int, list[Any]]]:
    """Due rows of one chat of a pull channel (the web inbox), oldest first, with their ids.
    Nothing is marked: a row stays waiting until the page confirms it has shown it, so a page
    closed or reloaded while the answer was on its way gets the row again."""
    table = OutboxMessage
    rows = await session.execute(
        select(table.id, table.payload)
        .where(
            table.channel == channel,
            table.chat_id == chat_id,
            table.status == PENDING,
            table.available_at <= now,
        )
        .order_by(table.id)
    )
    return [(row_id, payload) for row_id, payload in rows.all()]


async def confirm_pulled(
    session: AsyncSession, *, channel: str, chat_id: str, ids: Sequence[int], now: datetime
) -> int:
    """Mark sent the rows of one pull chat that its page has shown (ids of other chats, or of
    rows already final, change nothing)."""
    if not ids:
        return 0
    table = OutboxMessage
    result = await session.execute(
        update(table)
        .where(
            table.channel == channel,
            table.chat_id == chat_id,
            table.status == PENDING,
            table.id.in_(list(ids)),
        )
        .values(status=SENT, sent_at=now, attempts=table.attempts + 1)
    )
    return result.rowcount or 0


async def expire_pull(
    session: AsyncSession, *, channel: str, created_before: datetime, reason: str
) -> int:
    """Mark pull-channel rows nobody fetched in time as undeliverable."""
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status == PENDING,
            OutboxMessage.created_at < created_before,
        )
        .values(status=UNDELIVERABLE, reason=reason)
    )
    return result.rowcount or 0


async def cancel_pending(session: AsyncSession, *, deadline_id: int) -> int:
    """Drop the not-yet-sent rows of a cancelled deadline."""
    result = await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.deadline_id == deadline_id, OutboxMessage.status == PENDING
        )
    )
    return result.rowcount or 0


async def status_counts(
    session: AsyncSession, *, by_channel: bool = False, **match: Any
) -> dict[tuple[str, ...], int]:
    """([channel,] occurrence, status, reason) → number of rows matching column=value filters."""
    table = OutboxMessage
    keys = [table.channel] if by_channel else []
    keys += [table.occurrence, table.status, func.coalesce(table.reason, "")]
    statement = select(*keys, func.count()).group_by(*keys)
    for column, value in match.items():
        statement = statement.where(getattr(table, column) == value)
    return {tuple(row[:-1]): row[-1] for row in (await session.execute(statement)).all()}


async def recipients_of(
    session: AsyncSession, *, status: str | None = None, **match: Any
) -> set[int]:
    """The distinct recipients of rows matching column=value filters (and a status)."""
    statement = select(OutboxMessage.recipient_id).distinct()
    if status is not None:
        statement = statement.where(OutboxMessage.status == status)
    for column, value in match.items():
        statement = statement.where(getattr(OutboxMessage, column) == value)
    return set((await session.scalars(statement)).all())


async def delete_for_user(session: AsyncSession, *, user_id: int) -> None:
    """Remove every message to a person (personal-data deletion)."""
    await session.execute(delete(OutboxMessage).where(OutboxMessage.recipient_id == user_id))


ABOUT_PERSON = ("verify",)
"""Purposes whose messages, sent to others, are about one person named by the occurrence's
first part ("<user id>:…"): a manager asked to confirm a staff member."""


async def delete_about_user(session: AsyncSession, *, user_id: int) -> None:
    """Remove every message to others about a person (personal-data deletion)."""
    await session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.purpose.in_(ABOUT_PERSON),
            OutboxMessage.occurrence.startswith(f"{user_id}:", autoescape=True),
        )
    )


def _held(message_id: int, worker: str) -> Any:
    """An UPDATE of a row this worker still holds (no other sender took it after its lease)."""
    return _held_rows(OutboxMessage.id == message_id, worker)


def _held_rows(which: Any, worker: str) -> Any:
    """An UPDATE of the rows chosen by `which` that this worker still holds."""
    return update(OutboxMessage).where(
        which, OutboxMessage.claimed_by == worker, OutboxMessage.status == SENDING
    )
