"""Deadlines: defining them (file or command line), who must see them, acknowledgements and the
administrators' delivery report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.messages import Catalog
from bot.scheduler import deadline_file
from bot.scheduler.audience import (
    Audience,
    BadAudience,
    ProgressSource,
    describe,
    includes,
    members,
)
from bot.scheduler.audience import resolve as resolve_audience
from bot.scheduler.outbox import Tally, deadline_occurrence
from bot.scheduler.timing import local_date, reminder_times
from bot.storage.db import Database
from bot.storage.models import Deadline
from bot.storage.repositories import deadlines as deadline_repo
from bot.storage.repositories import outbox as outbox_repo


@dataclass(frozen=True, slots=True)
class DeadlineSpec:
    """A deadline as an administrator writes it."""

    code: str
    title: str
    due_at: datetime
    audience: Audience
    description: str = ""
    offsets: tuple[str, ...] = ()
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A deadline as lists and handlers see it."""

    id: int
    code: str
    title: str
    description: str
    due_at: datetime
    audience: Audience
    offsets: tuple[str, ...]
    urgent: bool
    cancelled: bool


@dataclass(slots=True)
class DeadlineImport:
    """The outcome of importing a deadlines file."""

    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Upcoming:
    """A deadline that concerns a person, and whether they acknowledged it."""

    deadline: DeadlineView
    acked: bool


@dataclass(frozen=True, slots=True)
class AckOutcome:
    """What pressing "Đã nhận" did."""

    deadline: DeadlineView
    new: bool


@dataclass(frozen=True, slots=True)
class RoundReport:
    """One reminder round of a deadline ("7d", "1d", "overdue" …) and how its messages fared."""

    label: str
    fire_at: datetime
    state: str
    counts: Tally


@dataclass(slots=True)
class DeadlineReport:
    """Delivery of one deadline: people reminded, reached, acknowledged, and each round."""

    deadline: DeadlineView
    audience: str
    recipients: int = 0
    reached: int = 0
    acknowledged: int = 0
    rounds: list[RoundReport] = field(default_factory=list)

    @property
    def failed(self) -> dict[str, int]:
        """Failed messages by reason, over every round."""
        total: dict[str, int] = {}
        for item in self.rounds:
            for reason, count in item.counts.failed.items():
                total[reason] = total.get(reason, 0) + count
        return total


def view(deadline: Deadline) -> DeadlineView:
    """The read-only view of a row."""
    return DeadlineView(
        deadline.id,
        deadline.code,
        deadline.title,
        deadline.description,
        deadline.due_at,
        Audience.from_json(deadline.audience),
        tuple(deadline.offsets),
        deadline.urgent,
        deadline.cancelled_at is not None,
    )


class DeadlineService:
    """Creates deadlines with their reminder times, and answers who must see which."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        t: Catalog,
        *,
        tz: ZoneInfo,
        morning_hour: int,
        progress: ProgressSource | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._t = t
        self._tz = tz
        self._morning_hour = morning_hour
        self.progress = progress

    async def define(self, spec: DeadlineSpec) -> tuple[DeadlineView, bool]:
        """Create or update a deadline by code and (re)schedule its reminders not yet sent."""
        times = reminder_times(
            spec.due_at, list(spec.offsets), tz=self._tz, morning_hour=self._morning_hour
        )
        async with self._db.transaction() as session:
            deadline, created = await deadline_repo.upsert(
                session,
                code=spec.code,
                fields={
                    "title": spec.title,
                    "description": spec.description,
                    "due_at": spec.due_at,
                    "audience": spec.audience.to_json(),
                    "offsets": list(spec.offsets),
                    "urgent": spec.urgent,
                    "cancelled_at": None,
                    "updated_at": self._clock.now(),
                },
            )
            await deadline_repo.replace_pending_reminders(
                session, deadline_id=deadline.id, times=times
            )
            return view(deadline), created

    async def import_text(self, content: str) -> DeadlineImport:
        """Create or update every deadline of a file (see `deadline_file`); all or nothing."""
        now = self._clock.now()
        parsed = deadline_file.read(content, tz=self._tz, today=local_date(now, self._tz))
        report = DeadlineImport(errors=list(parsed.errors))
        specs: list[DeadlineSpec] = []
        async with self._db.transaction() as session:
            for entry in parsed.entries:
                try:
                    audience = await resolve_audience(
                        session,
                        entry.audience,
                        progress=self.progress,
                        on=local_date(now, self._tz),
                    )
                except BadAudience as error:
                    report.errors.append(f"{entry.where('audience')}: {str(error).rstrip('.')}.")
                    continue
                specs.append(
                    DeadlineSpec(
                        entry.code,
                        entry.title,
                        entry.due_at,
                        audience,
                        entry.description,
                        entry.offsets,
                        entry.urgent,
                    )
                )
        if report.errors:
            return report
        for spec in specs:
            _, created = await self.define(spec)
            report.created += created
            report.updated += not created
        return report

    async def cancel(self, code: str) -> DeadlineView | None:
        """Cancel a deadline: no further reminders; messages not yet sent are dropped."""
        async with self._db.transaction() as session:
            deadline = await deadline_repo.by_code(session, code=code)
            if deadline is None:
                return None
            await deadline_repo.cancel(session, deadline_id=deadline.id, now=self._clock.now())
            await outbox_repo.cancel_pending(session, deadline_id=deadline.id)
            await session.refresh(deadline)
            return view(deadline)

    async def get(self, code: str) -> DeadlineView | None:
        """One deadline by code."""
        async with self._db.transaction() as session:
            deadline = await deadline_repo.by_code(session, code=code)
            return None if deadline is None else view(deadline)

    async def all(self) -> list[DeadlineView]:
        """Every deadline, latest due first (command line)."""
        async with self._db.transaction() as session:
            return [view(d) for d in await deadline_repo.all_deadlines(session)]

    async def upcoming_for(self, user_id: int) -> list[Upcoming]:
        """Deadlines not yet due whose audience includes the person, soonest first."""
        async with self._db.transaction() as session:
            found = []
            acked = await deadline_repo.acked_by(session, user_id=user_id)
            for deadline in await deadline_repo.active(session, due_after=self._clock.now()):
                audience = Audience.from_json(deadline.audience)
                if await includes(session, audience, user_id, progress=self.progress):
                    found.append(Upcoming(view(deadline), deadline.id in acked))
            return found

    async def acknowledge(self, user_id: int, deadline_id: int) -> AckOutcome | None:
        """Record "Đã nhận"; None if there is no such deadline or it is not meant for the
        person (a forged or foreign button must not reveal a deadline, nor be counted)."""
        async with self._db.transaction() as session:
            deadline = await deadline_repo.by_id(session, deadline_id=deadline_id)
            if deadline is None or not await self._meant_for(session, deadline, user_id):
                return None
            if deadline.cancelled_at is not None:
                return AckOutcome(view(deadline), False)
            new = await deadline_repo.acknowledge(
                session, deadline_id=deadline_id, user_id=user_id, now=self._clock.now()
            )
            return AckOutcome(view(deadline), new)

    async def acknowledgers(self, deadline_id: int) -> list[tuple[str, str, datetime]]:
        """(name, unit, when) of everyone who pressed "Đã nhận" on a deadline."""
        async with self._db.transaction() as session:
            rows = await deadline_repo.acknowledgers(session, deadline_id=deadline_id)
        return [(name or "", unit or "", at) for name, unit, at in rows]

    async def _meant_for(self, session: AsyncSession, deadline: Deadline, user_id: int) -> bool:
        """Whether a reminder of the deadline was addressed to the person, or they are in its
        audience now (/lichhan lists a deadline before its first reminder goes out)."""
        if await outbox_repo.recipients_of(
            session, deadline_id=deadline.id, purpose="deadline", recipient_id=user_id
        ):
            return True
        audience = Audience.from_json(deadline.audience)
        return await includes(session, audience, user_id, progress=self.progress)

    async def _audience_acks(
        self, session: AsyncSession, deadline: Deadline, counts: deadline_repo.DeliveryCounts
    ) -> int:
        """Acknowledgements of people the deadline was meant for (see `_meant_for`): those
        reminded, and others only when in the audience; anything else (recorded before this
        check existed) is not counted."""
        if counts.acked == counts.acked_by_recipients:
            return counts.acked
        others = await deadline_repo.acks_not_reminded(session, deadline_id=deadline.id)
        meant = await members(
            session, Audience.from_json(deadline.audience), progress=self.progress
        )
        return counts.acked_by_recipients + len(others & meant)

    async def report(self, code: str | None = None) -> list[DeadlineReport]:
        """Per deadline: people reminded, reached and acknowledging; per round: recipients,
        delivered, pending and failed by reason (overdue rounds go to managers)."""
        async with self._db.transaction() as session:
            if code:
                found = await deadline_repo.by_code(session, code=code)
                rows = [found] if found is not None else []
            else:
                rows = await deadline_repo.all_deadlines(session)
            reports = []
            for deadline in rows:
                audience = await describe(
                    session,
                    Audience.from_json(deadline.audience),
                    self._t,
                    progress=self.progress,
                    on=local_date(self._clock.now(), self._tz),
                )
                delivery = await deadline_repo.delivery_counts(session, deadline_id=deadline.id)
                report = DeadlineReport(
                    view(deadline),
                    audience,
                    recipients=delivery.recipients,
                    reached=delivery.reached,
                    acknowledged=await self._audience_acks(session, deadline, delivery),
                )
                counts = await outbox_repo.status_counts(session, deadline_id=deadline.id)
                for reminder in await deadline_repo.reminders_of(session, deadline_id=deadline.id):
                    report.rounds.append(
                        _round(reminder.label, reminder.fire_at, reminder.state, deadline, counts)
                    )
                reports.append(report)
            return reports


def _round(
    label: str,
    fire_at: datetime,
    state: str,
    deadline: Deadline,
    counts: dict[tuple[str, ...], int],
) -> RoundReport:
    """Tally the outbox rows of one reminder round (their occurrence names the round)."""
    prefix = deadline_occurrence(deadline, label)
    tally = Tally()
    for (occurrence, status, reason), count in counts.items():
        if occurrence == prefix or occurrence.startswith(prefix + ":"):
            tally.add(status, reason, count)
    return RoundReport(label, fire_at, state, tally)
