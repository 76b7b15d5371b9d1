"""Data retention: what the bot keeps about people is deleted when its time is up, by the
hourly housekeeping job of every process that runs the scheduler.

What is kept how long follows the consent text (`start.consent`) and docs/SECURITY.md:

- declined questions: `QUESTIONS_KEEP_DAYS` — the consent text names this very number;
- a conversation's step and what a half-finished form collected: until the flow ends, so an
  abandoned one goes `CONVERSATION_KEEP_DAYS` after the person last moved in it;
- the outbox's finished messages (sent or given up): `OUTBOX_KEEP_DAYS`; after that the
  delivery counts of old broadcasts and deadlines are gone too;
- the replies kept with a processed update for a redelivery: `REPLIES_KEEP_HOURS`; the claim
  (no personal data but the account id) `PROCESSED_EVENTS_KEEP_DAYS`.

Safe with several processes: each batch is a short transaction of its own, and on PostgreSQL
the rows of a batch are skipped when another process holds them (`repositories.operations`),
so two processes pruning at once share the work and neither waits.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.core.clock import Clock
from bot.storage.db import Database
from bot.storage.repositories import operations

if TYPE_CHECKING:
    from bot.config import Settings

BATCH = 500
"""Rows per delete: a statement of a few milliseconds, however much has piled up."""

Prune = Callable[..., Awaitable[int]]


@dataclass(frozen=True, slots=True)
class RetentionPolicy:
    """How long each kind of data is kept."""

    conversations: timedelta
    questions: timedelta
    outbox: timedelta
    replies: timedelta
    claims: timedelta

    @classmethod
    def from_settings(cls, settings: Settings) -> RetentionPolicy:
        """The policy of the settings (README: the retention settings)."""
        return cls(
            conversations=timedelta(days=settings.conversation_keep_days),
            questions=timedelta(days=settings.questions_keep_days),
            outbox=timedelta(days=settings.outbox_keep_days),
            replies=timedelta(hours=settings.replies_keep_hours),
            claims=timedelta(days=settings.processed_events_keep_days),
        )


@dataclass(slots=True)
class RetentionReport:
    """Rows deleted (or, for replies, emptied) by one run."""

    conversations: int = 0
    questions: int = 0
    outbox: int = 0
    replies: int = 0
    claims: int = 0

    def __bool__(self) -> bool:
        return any(asdict(self).values())


class Retention:
    """Deletes what is past its retention, in batches."""

    def __init__(
        self, db: Database, clock: Clock, policy: RetentionPolicy, *, batch: int = BATCH
    ) -> None:
        self._db = db
        self._clock = clock
        self._policy = policy
        self._batch = batch

    async def run(self) -> RetentionReport:
        """One pass over every kind of data."""
        now = self._clock.now()
        keep = self._policy
        ops = operations
        return RetentionReport(
            conversations=await self._drain(ops.prune_conversations, now - keep.conversations),
            questions=await self._drain(ops.prune_questions, now - keep.questions),
            outbox=await self._drain(ops.prune_outbox, now - keep.outbox),
            replies=await self._drain(ops.prune_replies, now - keep.replies),
            claims=await self._drain(ops.prune_claims, now - keep.claims),
        )

    async def _drain(self, prune: Prune, before: datetime) -> int:
        total = 0
        while True:
            async with self._db.transaction() as session:
                done = await prune(session, before=before, batch=self._batch)
            total += done
            if done < self._batch:
                return total
