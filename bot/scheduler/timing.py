"""Local-time rules of the scheduler: reminder offsets, quiet hours, daily and weekly moments.

Every function takes the moment it reasons about (aware UTC, from the injected Clock) and the
time zone, so that tests decide what time it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.core.clock import as_utc

DEFAULT_OFFSETS: tuple[str, ...] = ("7d", "3d", "1d", "morning")
MORNING = "morning"
OVERDUE = "overdue"
_OFFSET = re.compile(r"^(\d{1,3})([dh])$")


class BadOffset(ValueError):
    """An offset that is not "<n>d", "<n>h" or "morning"."""


@dataclass(frozen=True, slots=True)
class QuietHours:
    """Local hours in which non-urgent pushes wait (start inclusive, end exclusive)."""

    start: int
    end: int
    tz: ZoneInfo

    def contains(self, moment: datetime) -> bool:
        """Whether `moment` falls inside the quiet hours."""
        hour = as_utc(moment).astimezone(self.tz).hour
        if self.start == self.end:
            return False
        if self.start > self.end:
            return hour >= self.start or hour < self.end
        return self.start <= hour < self.end

    def release(self, moment: datetime) -> datetime:
        """`moment`, or the end of the quiet hours it falls in (the morning)."""
        if not self.contains(moment):
            return as_utc(moment)
        local = as_utc(moment).astimezone(self.tz)
        morning = local.replace(hour=self.end, minute=0, second=0, microsecond=0)
        if morning <= local:
            morning = _local(local.date() + timedelta(days=1), self.end, self.tz)
        return as_utc(morning)


def parse_offsets(spec: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """ "7d,3d,1d,morning" → ["7d", "3d", "1d", "morning"]; raises BadOffset on anything else."""
    if spec is None:
        return list(DEFAULT_OFFSETS)
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    offsets: list[str] = []
    for raw in items:
        item = str(raw).strip().lower()
        if not item:
            continue
        if item != MORNING and not _OFFSET.match(item):
            raise BadOffset(item)
        if item not in offsets:
            offsets.append(item)
    return offsets


def offset_delta(offset: str) -> timedelta:
    """The time before the due moment that "<n>d" / "<n>h" stands for."""
    match = _OFFSET.match(offset)
    if match is None:
        raise BadOffset(offset)
    amount = int(match.group(1))
    return timedelta(days=amount) if match.group(2) == "d" else timedelta(hours=amount)


def reminder_times(
    due_at: datetime, offsets: list[str], *, tz: ZoneInfo, morning_hour: int
) -> list[tuple[str, datetime]]:
    """When each reminder of a deadline fires (UTC), earliest first, ending with the overdue one.

    Day offsets keep the due time of day in local time (due 17:00 on 30/06 → "1d" at 17:00 on
    29/06); "morning" is `morning_hour`:00 on the due day; reminders at or after the due moment
    are dropped; the overdue reminder (to unit managers) is `morning_hour`:00 the day after.
    """
    due = as_utc(due_at)
    local_due = due.astimezone(tz)
    moments: dict[datetime, str] = {}
    for offset in offsets:
        if offset == MORNING:
            fire = as_utc(_local(local_due.date(), morning_hour, tz))
        else:
            delta = offset_delta(offset)
            # Aware arithmetic is wall-clock arithmetic: days stay on the local calendar.
            fire = as_utc(local_due - delta) if delta.days else due - delta
        if fire < due and fire not in moments:
            moments[fire] = offset
    overdue = as_utc(_local(local_due.date() + timedelta(days=1), morning_hour, tz))
    ordered = sorted(moments.items())
    return [(label, fire) for fire, label in ordered] + [(OVERDUE, overdue)]


def next_daily(after: datetime, hour: int, tz: ZoneInfo) -> datetime:
    """The first local `hour`:00 strictly after `after` (UTC)."""
    local = as_utc(after).astimezone(tz)
    candidate = _local(local.date(), hour, tz)
    if candidate <= local:
        candidate = _local(local.date() + timedelta(days=1), hour, tz)
    return as_utc(candidate)


def week_period(moment: datetime, tz: ZoneInfo) -> str:
    """The local ISO week of `moment`, e.g. "2026-W23"."""
    year, week, _ = as_utc(moment).astimezone(tz).isocalendar()
    return f"{year}-W{week:02d}"


def weekly_moment(moment: datetime, *, weekday: int, hour: int, tz: ZoneInfo) -> datetime:
    """This local ISO week's `weekday` (0 = Monday) at `hour`:00, in UTC."""
    local = as_utc(moment).astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    return as_utc(_local(monday + timedelta(days=weekday), hour, tz))


def days_left(due_at: datetime, moment: datetime, tz: ZoneInfo) -> int:
    """Calendar days from `moment` to the due day, in local time (0 = due today)."""
    due_day = as_utc(due_at).astimezone(tz).date()
    return (due_day - as_utc(moment).astimezone(tz).date()).days


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The local calendar day of a UTC moment."""
    return as_utc(moment).astimezone(tz).date()


def _local(day: date, hour: int, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour=hour), tzinfo=tz)
