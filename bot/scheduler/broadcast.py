"""Announcements from administrators to an audience, queued in one transaction and followed to
the end."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.errors import UserError
from bot.core.text import normalize
from bot.messages import Catalog
from bot.scheduler import compose
from bot.scheduler.audience import Audience, ProgressSource, describe, members, parse_spec
from bot.scheduler.outbox import Purpose, Push, Tally, add, release_time
from bot.scheduler.timing import QuietHours, local_date
from bot.storage.db import Database
from bot.storage.models import Broadcast
from bot.storage.repositories import audience as audience_repo
from bot.storage.repositories import outbox as outbox_repo
from bot.storage.repositories.audience import Person

MAX_TEXT = 3500


class BadBroadcast(UserError, ValueError):
    """A broadcast that cannot be sent as written (empty or too long text)."""


@dataclass(frozen=True, slots=True)
class BroadcastPlan:
    """Who a broadcast would reach, before anything is queued (the dry run)."""

    audience: Audience
    description: str
    recipients: int
    by_channel: dict[str, int]
    unreachable: int


@dataclass(frozen=True, slots=True)
class Queued:
    """A broadcast written to the outbox."""

    id: int
    queued: int
    release_at: datetime


class BroadcastService:
    """Plans, queues and follows broadcasts."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        t: Catalog,
        quiet: QuietHours,
        progress: ProgressSource | None = None,
    ) -> None:
        self._db = db
        self._clock = clock
        self._t = t
        self._quiet = quiet
        self.progress = progress

    async def plan(self, spec: str, *, active_days: int | None = None) -> BroadcastPlan:
        """Resolve an audience spec and count it (raises BadAudience)."""
        async with self._db.transaction() as session:
            today = local_date(self._clock.now(), self._quiet.tz)
            audience = await parse_spec(session, spec, progress=self.progress, on=today)
        return await self.plan_audience(audience, active_days=active_days)

    async def plan_audience(
        self, audience: Audience, *, active_days: int | None = None
    ) -> BroadcastPlan:
        """Count an audience and say in words who it is (before anything is queued)."""
        async with self._db.transaction() as session:
            today = local_date(self._clock.now(), self._quiet.tz)
            people = await self._people(session, audience, active_days)
            unreachable = await audience_repo.unreachable(session, user_ids=[p.id for p in people])
            words = await describe(session, audience, self._t, progress=self.progress, on=today)
            return BroadcastPlan(
                audience, words, len(people), dict(Counter(p.channel for p in people)), unreachable
            )

    async def send(
        self,
        plan: BroadcastPlan,
        message: str,
        *,
        urgent: bool = False,
        active_days: int | None = None,
    ) -> Queued:
        """Queue the broadcast for everyone in the audience now, in one transaction."""
        body = normalize_message(message)
        now = self._clock.now()
        async with self._db.transaction() as session:
            record = Broadcast(
                text=body, audience=plan.audience.to_json(), urgent=urgent, created_at=now
            )
            session.add(record)
            await session.flush()
            reply = compose.broadcast(self._t, body)
            pushes = [
                Push(person, (reply,), f"broadcast:{record.id}")
                for person in await self._people(session, plan.audience, active_days)
            ]
            queued = await add(
                session,
                Purpose.BROADCAST,
                pushes,
                at=now,
                urgent=urgent,
                quiet=self._quiet,
                broadcast_id=record.id,
            )
            return Queued(record.id, queued, release_time(now, urgent=urgent, quiet=self._quiet))

    async def progress_of(
        self, broadcast_id: int, channels: Collection[str] | None = None
    ) -> Tally:
        """Counts by outcome so far (of the messages on these channels, or all)."""
        async with self._db.transaction() as session:
            counts = await outbox_repo.status_counts(
                session, broadcast_id=broadcast_id, by_channel=True
            )
        progress = Tally()
        for (channel, _, status, reason), count in counts.items():
            if channels is None or channel in channels:
                progress.add(status, reason, count)
        return progress

    async def progress_by_channel(self, broadcast_id: int) -> dict[str, Tally]:
        """Counts by outcome so far, per channel (whoever sends: this process or another)."""
        async with self._db.transaction() as session:
            counts = await outbox_repo.status_counts(
                session, broadcast_id=broadcast_id, by_channel=True
            )
        tallies: dict[str, Tally] = {}
        for (channel, _, status, reason), count in counts.items():
            tallies.setdefault(channel, Tally()).add(status, reason, count)
        return tallies

    async def _people(
        self, session: AsyncSession, audience: Audience, active_days: int | None
    ) -> list[Person]:
        ids = await members(session, audience, progress=self.progress)
        if active_days is not None:
            since = self._clock.now() - timedelta(days=active_days)
            ids &= await audience_repo.registered(session, seen_since=since)
        return await audience_repo.people(session, user_ids=ids)


def normalize_message(message: str) -> str:
    """The text as it will be sent; raises BadBroadcast if empty or too long."""
    lines = [normalize(line) for line in message.strip().splitlines()]
    body = "\n".join(lines).strip()
    if not body:
        raise BadBroadcast("Nội dung thông báo đang trống.")
    if len(body) > MAX_TEXT:
        raise BadBroadcast(
            f"Nội dung dài {len(body)} ký tự, quá giới hạn {MAX_TEXT}. Anh/chị rút gọn lại nhé."
        )
    return body
