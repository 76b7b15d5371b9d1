"""Time, injectable so that tests can control it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    """Something that tells the current time as an aware UTC datetime."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that moves only when told to (tests)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FrozenClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment.astimezone(UTC)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; naive values (as SQLite returns them) are taken to be UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def fmt_date(value: date | datetime, tz: ZoneInfo = VN_TZ) -> str:
    """dd/mm/yyyy in local time."""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(tz).date()
    return value.strftime("%d/%m/%Y")


def fmt_datetime(value: datetime, tz: ZoneInfo = VN_TZ) -> str:
    """HH:MM dd/mm/yyyy in local time."""
    return as_utc(value).astimezone(tz).strftime("%H:%M %d/%m/%Y")
