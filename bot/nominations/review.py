"""The council's review: the queue of pending nominations, and recorded decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from bot.core.clock import Clock
from bot.nominations.details import load_detail
from bot.nominations.types import Action, Category, Decision, NominationDetail, Status
from bot.storage.db import Database
from bot.storage.repositories import nomination_queue as queue_repo
from bot.storage.repositories import nominations as repo


class Verdict(StrEnum):
    """Whether a decision was recorded."""

    RECORDED = "recorded"
    NOT_FOUND = "not_found"
    CHANGED = "changed"  # someone else decided since the reviewer looked


@dataclass(frozen=True, slots=True)
class Recipient:
    """Someone to tell about a decision, with the nominee's name as they typed it."""

    channel: str
    user_id: str
    nominee_name: str


@dataclass(frozen=True, slots=True)
class DecisionResult:
    """What became of a decision, and whom to notify."""

    verdict: Verdict
    code: str = ""
    status: Status | None = None
    recipients: tuple[Recipient, ...] = field(default=())


class ReviewService:
    """Reads nominations in full and records decisions (council and administrators only)."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def next_pending(
        self, *, skip: Sequence[int] = ()
    ) -> tuple[NominationDetail | None, int]:
        """The oldest nomination waiting for a decision (not skipped), and how many are waiting."""
        async with self._db.transaction() as session:
            waiting = await repo.count_with_status(session, status=Status.PENDING)
            row = await repo.next_with_status(session, status=Status.PENDING, exclude=skip)
            return (await load_detail(session, row) if row else None), waiting

    async def detail(self, nomination_id: int) -> NominationDetail | None:
        """One nomination in full."""
        async with self._db.transaction() as session:
            row = await repo.by_id(session, nomination_id=nomination_id)
            return await load_detail(session, row) if row else None

    async def by_code(self, code: str) -> NominationDetail | None:
        """One nomination in full, by reference code."""
        async with self._db.transaction() as session:
            row = await repo.by_code(session, code=code)
            return await load_detail(session, row) if row else None

    async def in_round(self, round_id: int) -> list[NominationDetail]:
        """Every nomination of a round in full (exports)."""
        async with self._db.transaction() as session:
            return [
                await load_detail(session, row)
                for row in await repo.in_round(session, round_id=round_id)
            ]

    async def decide(
        self,
        nomination_id: int,
        *,
        decision: Decision,
        reason: str,
        reviewer_id: int | None,
        reviewer_label: str,
        expected: Status,
    ) -> DecisionResult:
        """Record a decision with its reason, if the nomination is still as the reviewer saw it."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            row = await repo.by_id(session, nomination_id=nomination_id)
            if row is None:
                return DecisionResult(Verdict.NOT_FOUND)
            status = decision.status
            if not await repo.set_status(
                session, nomination_id=nomination_id, expected=expected, status=status, now=now
            ):
                return DecisionResult(Verdict.CHANGED, row.code, Status(row.status))
            await repo.add_history(
                session,
                nomination_id=nomination_id,
                action=Action(decision.value),
                actor_id=reviewer_id,
                actor_label=reviewer_label,
                note=reason,
                at=now,
            )
            people = await repo.people_to_notify(session, nomination_id=nomination_id)
            recipients = tuple(
                Recipient(user.channel, user.external_id, name) for user, name in people
            )
            return DecisionResult(Verdict.RECORDED, row.code, status, recipients)


@dataclass(frozen=True, slots=True)
class QueueItem:
    """A line of the council's queue."""

    id: int
    code: str
    category: Category
    nominee_name: str
    unit_name: str
    round_name: str
    status: Status
    submitted_at: datetime
    supporters: int


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of the queue, how many match, and the counts per status and category."""

    items: list[QueueItem]
    total: int
    by_status: dict[Status, int]
    by_category: dict[Category, int]


async def queue_page(
    db: Database,
    *,
    page: int,
    per_page: int = 25,
    status: Status | None = None,
    round_id: int | None = None,
    category: Category | None = None,
    unit_path: str | None = None,
) -> QueuePage:
    """The council's queue with filters (used by the web console)."""
    filters = {"status": status, "round_id": round_id, "kind": category, "unit_path": unit_path}
    async with db.transaction() as session:
        rows, total = await queue_repo.page(
            session, offset=max(page - 1, 0) * per_page, limit=per_page, **filters
        )
        unfiltered = dict(filters, status=None, kind=None)
        by_status = await queue_repo.counts_by(session, "status", **unfiltered)
        by_kind = await queue_repo.counts_by(session, "kind", **unfiltered)
    return QueuePage(
        items=[
            QueueItem(
                row.id,
                row.code,
                Category(row.kind),
                row.nominee_name,
                row.unit_name,
                row.round_name,
                Status(row.status),
                row.submitted_at,
                int(row.supporters),
            )
            for row in rows
        ],
        total=total,
        by_status={Status(key): value for key, value in by_status.items()},
        by_category={Category(key): value for key, value in by_kind.items()},
    )


@dataclass(frozen=True, slots=True)
class NominationTable:
    """Nominations counted per status (rows) and category (columns), every round together."""

    counts: dict[tuple[Status, Category], int]

    def count(self, status: Status, category: Category) -> int:
        """One cell (0 when none)."""
        return self.counts.get((status, category), 0)

    def status_total(self, status: Status) -> int:
        """A row's sum."""
        return sum(n for (s, _), n in self.counts.items() if s is status)

    def category_total(self, category: Category) -> int:
        """A column's sum."""
        return sum(n for (_, c), n in self.counts.items() if c is category)

    @property
    def total(self) -> int:
        """Every nomination."""
        return sum(self.counts.values())


async def status_by_category(db: Database) -> NominationTable:
    """The dashboard's table of nominations by status and category."""
    async with db.transaction() as session:
        found = await queue_repo.counts_by_status_and_kind(session)
    return NominationTable(
        {(Status(status), Category(kind)): n for (status, kind), n in found.items()}
    )
