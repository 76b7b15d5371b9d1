"""Local-time rules: reminder offsets, quiet hours, daily and weekly moments (pure functions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.scheduler.timing import (
    BadOffset,
    QuietHours,
    days_left,
    next_daily,
    parse_offsets,
    reminder_times,
    week_period,
    weekly_moment,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUIET = QuietHours(21, 7, VN)


def local(text: str) -> datetime:
    """ "30/06/2026 17:00" in Đắk Lắk → aware UTC."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN).astimezone(UTC)


def shown(moment: datetime) -> str:
    return moment.astimezone(VN).strftime("%d/%m/%Y %H:%M")


def test_default_offsets_fire_at_local_times_then_overdue_next_morning() -> None:
    times = reminder_times(local("30/06/2026 17:00"), parse_offsets(None), tz=VN, morning_hour=8)
    assert [(label, shown(at)) for label, at in times] == [
        ("7d", "23/06/2026 17:00"),
        ("3d", "27/06/2026 17:00"),
        ("1d", "29/06/2026 17:00"),
        ("morning", "30/06/2026 08:00"),
        ("overdue", "01/07/2026 08:00"),
    ]


def test_reminders_at_or_after_the_due_time_are_dropped() -> None:
    times = reminder_times(
        local("30/06/2026 07:30"), ["1d", "morning", "2h"], tz=VN, morning_hour=8
    )
    assert [(label, shown(at)) for label, at in times] == [
        ("1d", "29/06/2026 07:30"),
        ("2h", "30/06/2026 05:30"),
        ("overdue", "01/07/2026 08:00"),
    ]


def test_offsets_are_parsed_and_bad_ones_refused() -> None:
    assert parse_offsets("7d, 1d,morning,1d") == ["7d", "1d", "morning"]
    assert parse_offsets(["12h"]) == ["12h"]
    with pytest.raises(BadOffset):
        parse_offsets("7 ngày")


@pytest.mark.parametrize(
    ("moment", "quiet", "released"),
    [
        ("30/06/2026 20:59", False, "30/06/2026 20:59"),
        ("30/06/2026 21:00", True, "01/07/2026 07:00"),
        ("30/06/2026 23:30", True, "01/07/2026 07:00"),
        ("01/07/2026 03:00", True, "01/07/2026 07:00"),
        ("01/07/2026 07:00", False, "01/07/2026 07:00"),
    ],
)
def test_quiet_hours_hold_pushes_until_the_morning(moment: str, quiet: bool, released: str) -> None:
    assert QUIET.contains(local(moment)) is quiet
    assert shown(QUIET.release(local(moment))) == released


@given(
    st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2035, 1, 1), timezones=st.just(UTC)
    )
)
def test_released_moments_are_never_quiet_and_never_earlier(moment: datetime) -> None:
    released = QUIET.release(moment)
    assert not QUIET.contains(released)
    assert moment <= released
    assert (released - moment).total_seconds() <= 10 * 3600


def test_daily_and_weekly_moments_in_local_time() -> None:
    assert shown(next_daily(local("30/06/2026 07:59"), 8, VN)) == "30/06/2026 08:00"
    assert shown(next_daily(local("30/06/2026 08:00"), 8, VN)) == "01/07/2026 08:00"
    # 30/06/2026 is a Tuesday: this week's Monday 09:00 is 29/06.
    assert shown(weekly_moment(local("30/06/2026 10:00"), weekday=0, hour=9, tz=VN)) == (
        "29/06/2026 09:00"
    )
    assert week_period(local("29/06/2026 00:30"), VN) == "2026-W27"  # 28/06 17:30 UTC, Sunday
    assert days_left(local("30/06/2026 17:00"), local("29/06/2026 23:00"), VN) == 1
    assert days_left(local("30/06/2026 17:00"), local("30/06/2026 00:10"), VN) == 0
