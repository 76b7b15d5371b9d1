"""Queries for operators: the outbox figures read at each `/metrics` scrape, the schema version
`/readyz` compares with the shipped migrations, and the retention deletes
(`bot.scheduler.retention`).

Retention deletes go in batches of at most `batch` rows, each its own short statement: a first
run on a large old database never holds locks for long. On PostgreSQL the rows of a batch are
taken with `FOR UPDATE SKIP LOCKED`, so two processes pruning at once take different rows
instead of waiting on (or deadlocking over) the same ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, null, select, text, tuple_, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from bot.storage.models import Conversation, OutboxMessage, ProcessedEvent, UnansweredQuestion
from bot.storage.repositories.outbox import FINAL, PENDING, PULL_CHANNELS, SENDING


@dataclass(frozen=True, slots=True)
class OutboxFigures:
    """The pushes right now: messages due and not yet sent (`waiting`), due later
    (`scheduled`, e.g. held for quiet hours), in a sender's hands (`sending`), and when the
    oldest waiting one fell due. Web-chat messages wait for their page to fetch them, which a
    sender cannot hasten: they are counted apart (`unread`) and never make the outbox look
    stalled."""

    waiting: int
    scheduled: int
    sending: int
    oldest_waiting: datetime | None
    unread: int = 0


async def outbox_figures(session: AsyncSession, *, now: datetime) -> OutboxFigures:
    """Index scans on (status, available_at): cheap enough for every scrape."""
    box = OutboxMessage
    pushed = box.channel.not_in(PULL_CHANNELS)
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(box.available_at)).where(
                box.status == PENDING, box.available_at <= now, pushed
            )
        )
    ).one()
    counts = dict(
        (
            await session.execute(
                select(box.status, func.count())
                .where(box.status.in_((PENDING, SENDING)), pushed)
                .group_by(box.status)
            )
        ).all()
    )
    unread = await session.scalar(
        select(func.count()).where(
            box.status == PENDING, box.available_at <= now, box.channel.in_(PULL_CHANNELS)
        )
    )
    return OutboxFigures(
        waiting=int(waiting),
        scheduled=int(counts.get(PENDING, 0)) - int(waiting),
        sending=int(counts.get(SENDING, 0)),
        oldest_waiting=oldest,
        unread=int(unread or 0),
    )


async def schema_revisions(connection: AsyncConnection) -> tuple[str, ...]:
    """The Alembic revision(s) the database is at (empty when it has none)."""
    try:
        rows = await connection.execute(text("SELECT version_num FROM alembic_version"))
    except Exception:  # no such table: a database never migrated
        return ()
    return tuple(sorted(row[0] for row in rows))


# Retention ------------------------------------------------------------------------------------


def _batch_of(session: AsyncSession, statement: Any) -> Any:
    """The rows of one batch; locked and skipped-when-locked on PostgreSQL."""
    if session.bind.dialect.name == "postgresql":
        return statement.with_for_update(skip_locked=True)
    return statement


async def prune_outbox(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Delete finished outbox messages (sent, undeliverable, rejected, failed) last touched
    before `before`; pending and in-flight ones are never touched."""
    box = OutboxMessage
    finished_at = func.coalesce(box.sent_at, box.available_at)
    ids = _batch_of(
        session,
        select(box.id).where(box.status.in_(FINAL), finished_at < before).limit(batch),
    )
    result = await session.execute(delete(box).where(box.id.in_(ids.scalar_subquery())))
    return result.rowcount or 0


async def prune_conversations(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Delete conversations untouched since `before`: an abandoned flow and what its form
    collected. The next message starts afresh (as after `/huy`). The age is checked again by
    the delete itself, so a turn that saved the conversation meanwhile keeps it."""
    conv = Conversation
    key = tuple_(conv.channel, conv.user_id)
    keys = _batch_of(session, select(*key.clauses).where(conv.updated_at < before).limit(batch))
    result = await session.execute(delete(conv).where(key.in_(keys), conv.updated_at < before))
    return result.rowcount or 0


async def prune_replies(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Drop the replies kept with claims made before `before` (the claims stay: a late
    redelivery is still recognised, and ignored). SQL NULL, not JSON null: the batch's
    `IS NOT NULL` must not find the row again."""
    event = ProcessedEvent
    key = tuple_(event.channel, event.event_key)
    keys = _batch_of(
        session,
        select(*key.clauses)
        .where(event.created_at < before, event.replies.is_not(None))
        .limit(batch),
    )
    result = await session.execute(update(event).where(key.in_(keys)).values(replies=null()))
    return result.rowcount or 0


async def prune_claims(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Delete claims of updates older than any platform redelivers."""
    event = ProcessedEvent
    key = tuple_(event.channel, event.event_key)
    keys = _batch_of(session, select(*key.clauses).where(event.created_at < before).limit(batch))
    result = await session.execute(delete(event).where(key.in_(keys)))
    return result.rowcount or 0


async def prune_questions(session: AsyncSession, *, before: datetime, batch: int) -> int:
    """Delete declined questions logged before `before` (QUESTIONS_KEEP_DAYS, as the consent
    text promises)."""
    question = UnansweredQuestion
    ids = _batch_of(session, select(question.id).where(question.created_at < before).limit(batch))
    result = await session.execute(delete(question).where(question.id.in_(ids.scalar_subquery())))
    return result.rowcount or 0
