"""The one date parser: every notation people type, and what it refuses."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from bot.core.dates import BadDate, parse_date, parse_datetime

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: int, month: int, year: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN).astimezone(UTC)


@pytest.mark.parametrize(
    "typed",
    ["30/06/2026", "30-06-2026", "30.06.2026", "2026-06-30", " 30/6/2026 ", date(2026, 6, 30)],
)
def test_dates(typed: str | date) -> None:
    assert parse_date(typed) == date(2026, 6, 30)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("30/06/2026 17:00", at(30, 6, 2026, 17)),
        ("30/06/2026 7h30", at(30, 6, 2026, 7, 30)),
        ("30/06/2026 17g", at(30, 6, 2026, 17)),
        ("17:00 30/06/2026", at(30, 6, 2026, 17)),  # the order the bot prints
        ("30/06/2026, lúc 17:00", at(30, 6, 2026, 17)),
        ("2026-06-30 17:00", at(30, 6, 2026, 17)),
        ("2026-06-30T10:00+00:00", at(30, 6, 2026, 17)),
        ("30/06/2026", at(30, 6, 2026, 17)),  # a date alone: the default time
        (datetime(2026, 6, 30, 17, 0), at(30, 6, 2026, 17)),  # naive from YAML: local
    ],
)
def test_moments(typed: str | datetime, expected: datetime) -> None:
    assert parse_datetime(typed, VN, default_time=time(17)) == expected


@pytest.mark.parametrize(
    "typed", ["31/02/2026", "30/06/26", "2026-13-01", "ngày mai", "", "30/06/2026 25:00", "5pm"]
)
def test_what_is_refused_says_how_to_write_it(typed: str) -> None:
    with pytest.raises(BadDate, match="dd/mm/yyyy hh:mm"):
        parse_datetime(typed, VN, default_time=time(17))
    with pytest.raises(BadDate, match="Ngày .* chưa đúng. Hãy viết dd/mm/yyyy"):
        parse_date(typed)


def test_a_moment_without_a_default_time_needs_one() -> None:
    with pytest.raises(BadDate):
        parse_datetime("30/06/2026", VN)
