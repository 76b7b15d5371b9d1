"""Subscriptions to "Mẹo số mỗi ngày": one tip a day at an hour the person chooses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.core.clock import Clock
from bot.scheduler.timing import QuietHours, next_daily
from bot.storage.db import Database
from bot.storage.repositories import tips as tip_repo


class QuietHour(ValueError):
    """The hour chosen falls in the quiet hours (no pushes then)."""


@dataclass(frozen=True, slots=True)
class Subscribed:
    """A subscription after (re)subscribing: its hour and the first send time."""

    hour: int
    next_at: datetime


class TipService:
    """Subscribe, change the hour, unsubscribe."""

    def __init__(self, db: Database, clock: Clock, quiet: QuietHours, *, default_hour: int) -> None:
        self._db = db
        self._clock = clock
        self._quiet = quiet
        self.default_hour = default_hour

    @property
    def hours(self) -> list[int]:
        """The local hours one may choose (outside the quiet hours)."""
        return [hour for hour in range(24) if not self._quiet.contains(self._at_local_hour(hour))]

    def _at_local_hour(self, hour: int) -> datetime:
        return next_daily(self._clock.now(), hour, self._quiet.tz)

    async def hour_of(self, user_id: int) -> int | None:
        """The hour a person receives tips at, or None if not subscribed."""
        async with self._db.transaction() as session:
            found = await tip_repo.get(session, user_id=user_id)
            return None if found is None else found.hour

    async def subscribe(self, user_id: int, hour: int | None = None) -> Subscribed:
        """Subscribe (or change the hour); the first tip comes at the next such hour."""
        chosen = self.default_hour if hour is None else hour
        if chosen not in self.hours:
            raise QuietHour(chosen)
        now = self._clock.now()
        next_at = next_daily(now, chosen, self._quiet.tz)
        async with self._db.transaction() as session:
            await tip_repo.subscribe(
                session, user_id=user_id, hour=chosen, next_at=next_at, now=now
            )
        return Subscribed(chosen, next_at)

    async def unsubscribe(self, user_id: int) -> bool:
        """Stop the tips; False if the person was not subscribed."""
        async with self._db.transaction() as session:
            return await tip_repo.unsubscribe(session, user_id=user_id)
