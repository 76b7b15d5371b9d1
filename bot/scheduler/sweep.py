"""The sweep: turns what has fallen due (deadline reminders, daily tips, weekly nudges) into
outbox rows, in the same transaction that marks it done — safe to run often and in several
processes at once."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.content.model import Tip
from bot.core.clock import Clock
from bot.core.replies import Text
from bot.messages import Catalog
from bot.scheduler import compose
from bot.scheduler.audience import Audience, ProgressSource, members
from bot.scheduler.outbox import Purpose, Push, add, deadline_occurrence
from bot.scheduler.timing import (
    OVERDUE,
    QuietHours,
    local_date,
    next_daily,
    week_period,
    weekly_moment,
)
from bot.storage.db import Database
from bot.storage.models import Deadline, DeadlineReminder
from bot.storage.repositories import audience as audience_repo
from bot.storage.repositories import deadlines as deadline_repo
from bot.storage.repositories import outbox as outbox_repo
from bot.storage.repositories import tips as tip_repo

log = logging.getLogger(__name__)
BATCH = 200


class TipSource(Protocol):
    """Where the daily tips come from (`services.knowledge`)."""

    def tips(self) -> Sequence[Tip]: ...


@dataclass(slots=True)
class SweepReport:
    """What one sweep queued."""

    reminders: int = 0
    messages: int = 0
    tips: int = 0
    nudges: int = 0
    expired: int = 0


@dataclass(frozen=True, slots=True)
class SweepRules:
    """Local-time settings of the sweep."""

    tz: ZoneInfo
    quiet: QuietHours
    nudges_enabled: bool
    nudge_weekday: int
    nudge_hour: int
    pull_ttl: timedelta


class Sweeper:
    """Finds what is due and writes it to the outbox."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        t: Catalog,
        rules: SweepRules,
        *,
        progress: ProgressSource | None = None,
        tips: TipSource | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._t = t
        self._rules = rules
        self.progress = progress
        self.tips = tips

    async def run(self) -> SweepReport:
        """One full sweep."""
        report = SweepReport()
        await self._deadlines(report)
        while await self._tip_batch(report):
            pass
        await self._nudges(report)
        await self._expire_pull(report)
        return report

    # Deadlines -----------------------------------------------------------------------------

    async def _deadlines(self, report: SweepReport) -> None:
        """Each deadline with reminders due, in a transaction of its own: one that cannot be
        queued now (its audience could not be read, …) does not hold up the others."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            deadline_ids = await deadline_repo.with_due_reminders(session, now=now)
        for deadline_id in deadline_ids:
            try:
                async with self._db.transaction() as session:
                    due = await deadline_repo.due_reminders(
                        session, deadline_id=deadline_id, now=now
                    )
                    if due:
                        await self._deadline(session, deadline_id, due, now, report)
            except Exception:
                log.exception(
                    "reminders of deadline %s not queued; the next sweep tries again", deadline_id
                )

    async def _deadline(
        self,
        session: AsyncSession,
        deadline_id: int,
        reminders: list[DeadlineReminder],
        now: datetime,
        report: SweepReport,
    ) -> None:
        deadline = await deadline_repo.by_id(session, deadline_id=deadline_id)
        before = sorted((r for r in reminders if r.label != OVERDUE), key=lambda r: r.fire_at)
        overdue = [r for r in reminders if r.label == OVERDUE]
        if deadline is None or deadline.cancelled_at is not None:
            for reminder in reminders:
                await deadline_repo.mark_reminder(
                    session, reminder_id=reminder.id, state="cancelled", now=now
                )
            return
        # Several reminders due at once (created late, or the bot was down): only the latest
        # goes out, and none once the due time has passed — no burst of stale reminders.
        latest = before[-1] if before and now < deadline.due_at else None
        for reminder in before:
            if reminder is not latest:
                await deadline_repo.mark_reminder(
                    session, reminder_id=reminder.id, state="superseded", now=now
                )
        if latest is not None and await deadline_repo.mark_reminder(
            session, reminder_id=latest.id, state="done", now=now
        ):
            report.reminders += 1
            report.messages += await self._remind(session, deadline, latest.label, now)
        for reminder in overdue:
            if await deadline_repo.mark_reminder(
                session, reminder_id=reminder.id, state="done", now=now
            ):
                report.reminders += 1
                report.messages += await self._overdue(session, deadline, now)

    async def _remind(
        self, session: AsyncSession, deadline: Deadline, label: str, now: datetime
    ) -> int:
        audience = Audience.from_json(deadline.audience)
        people = await audience_repo.people(
            session, user_ids=await members(session, audience, progress=self.progress)
        )
        acked = await deadline_repo.acked_users(session, deadline_id=deadline.id)
        send_at = self._rules.quiet.release(now) if not deadline.urgent else now
        occurrence = deadline_occurrence(deadline, label)
        pushes = [
            Push(
                person,
                (
                    compose.deadline_reminder(
                        self._t, deadline, at=send_at, tz=self._rules.tz, acked=person.id in acked
                    ),
                ),
                occurrence,
            )
            for person in people
        ]
        return await add(
            session,
            Purpose.DEADLINE,
            pushes,
            at=now,
            urgent=deadline.urgent,
            quiet=self._rules.quiet,
            deadline_id=deadline.id,
        )

    async def _overdue(self, session: AsyncSession, deadline: Deadline, now: datetime) -> int:
        """Tell each unit's managers how their people stood when the deadline passed."""
        audience = Audience.from_json(deadline.audience)
        people = await audience_repo.people(
            session, user_ids=await members(session, audience, progress=self.progress)
        )
        by_unit: dict[int, list[int]] = defaultdict(list)
        for person in people:
            if person.unit_id is not None:
                by_unit[person.unit_id].append(person.id)
        if not by_unit:
            return 0
        acked = await deadline_repo.acked_users(session, deadline_id=deadline.id)
        managers = await audience_repo.managers(session, unit_ids=by_unit)
        names = await audience_repo.unit_names(session, unit_ids=by_unit)
        recipients = {
            p.id: p
            for p in await audience_repo.people(
                session, user_ids=set().union(*managers.values()) if managers else set()
            )
        }
        pushes = []
        for unit_id, manager_ids in managers.items():
            ids = by_unit[unit_id]
            message = compose.overdue_summary(
                self._t,
                deadline,
                unit=names.get(unit_id, ""),
                total=len(ids),
                acked=sum(1 for user_id in ids if user_id in acked),
                tz=self._rules.tz,
            )
            occurrence = f"{deadline_occurrence(deadline, OVERDUE)}:{unit_id}"
            pushes += [
                Push(recipients[m], (message,), occurrence)
                for m in sorted(manager_ids)
                if m in recipients
            ]
        return await add(
            session,
            Purpose.OVERDUE,
            pushes,
            at=now,
            urgent=False,
            quiet=self._rules.quiet,
            deadline_id=deadline.id,
        )

    # Daily tips ----------------------------------------------------------------------------

    async def _tip_batch(self, report: SweepReport) -> bool:
        now = self._clock.now()
        tips = list(self.tips.tips()) if self.tips is not None else []
        async with self._db.transaction() as session:
            due = await tip_repo.due(session, now=now, limit=BATCH)
            if not due:
                return False
            people = {
                p.id: p
                for p in await audience_repo.people(session, user_ids=[sub.user_id for sub in due])
            }
            pushes = []
            for sub in due:
                day = local_date(sub.next_at, self._rules.tz)
                sub.next_at = next_daily(now, sub.hour, self._rules.tz)
                person = people.get(sub.user_id)
                if not tips or person is None:
                    continue
                # Each subscriber walks the tips in order, from the first.
                chosen = tips[sub.sent % len(tips)]
                sub.sent += 1
                message = compose.tip(self._t, chosen.text, chosen.source_title, chosen.source_url)
                pushes.append(Push(person, (message,), f"tip:{day.isoformat()}"))
            if not tips:
                log.warning("no daily tips available; %d subscriptions skipped today", len(due))
            report.tips += await add(
                session, Purpose.TIP, pushes, at=now, urgent=False, quiet=self._rules.quiet
            )
        return len(due) == BATCH

    # Weekly nudges -------------------------------------------------------------------------

    async def _nudges(self, report: SweepReport) -> None:
        rules = self._rules
        now = self._clock.now()
        if not rules.nudges_enabled or self.progress is None:
            return
        if now < weekly_moment(
            now, weekday=rules.nudge_weekday, hour=rules.nudge_hour, tz=rules.tz
        ):
            return
        period = week_period(now, rules.tz)
        if await self._job_done("nudges", period):
            return
        # Read progress before the writing transaction (the quiz service opens its own).
        personal = await self._personal_nudges(now)
        summaries = await self._manager_summaries(now)
        async with self._db.transaction() as session:
            if not await deadline_repo.mark_job(session, job="nudges", period=period, now=now):
                return
            people = {
                p.id: p
                for p in await audience_repo.people(
                    session, user_ids=set(personal) | set(summaries)
                )
            }
            nudges = [
                Push(people[uid], (message,), f"nudge:{period}")
                for uid, message in personal.items()
                if uid in people
            ]
            report.nudges += await add(
                session, Purpose.NUDGE, nudges, at=now, urgent=False, quiet=rules.quiet
            )
            digest = [
                Push(people[uid], tuple(messages), f"summary:{period}")
                for uid, messages in summaries.items()
                if uid in people
            ]
            report.nudges += await add(
                session, Purpose.SUMMARY, digest, at=now, urgent=False, quiet=rules.quiet
            )

    async def _personal_nudges(self, now: datetime) -> dict[int, Text]:
        assert self.progress is not None
        nudges: dict[int, Text] = {}
        for user_id in await self.progress.staff_below_target(None):
            unmet = [
                item
                for item in await self.progress.personal_progress(user_id)
                if item.sets_remaining > 0 and item.due_on >= local_date(now, self._rules.tz)
            ]
            if unmet:
                nudges[user_id] = compose.nudge(self._t, unmet, self._rules.tz)
        return nudges

    async def _manager_summaries(self, now: datetime) -> dict[int, list[Text]]:
        assert self.progress is not None
        async with self._db.transaction() as session:
            managers = await audience_repo.managers(session)
            names = await audience_repo.unit_names(session, unit_ids=managers)
        summaries: dict[int, list[Text]] = defaultdict(list)
        for unit_id in sorted(managers):
            progress = await self.progress.unit_progress(unit_id)
            if not progress:
                continue
            message = compose.manager_summary(
                self._t, names.get(unit_id, ""), progress, self._rules.tz
            )
            for user_id in managers[unit_id]:
                summaries[user_id].append(message)
        return summaries

    async def _job_done(self, job: str, period: str) -> bool:
        async with self._db.transaction() as session:
            return await deadline_repo.job_done(session, job=job, period=period)

    # Pull channels -------------------------------------------------------------------------

    async def _expire_pull(self, report: SweepReport) -> None:
        """Web-chat messages nobody came to read within the session lifetime are undeliverable."""
        async with self._db.transaction() as session:
            report.expired += await outbox_repo.expire_pull(
                session,
                channel="web",
                created_before=self._clock.now() - self._rules.pull_ttl,
                reason="web_session_expired",
            )
