"""The one way dates and times typed by people are read: by every command-line option, the YAML
deadline and target files and the CSV imports.

Accepted: dd/mm/yyyy (also d/m/yyyy, with "-" or "." between), ISO yyyy-mm-dd; with a time,
"dd/mm/yyyy hh:mm" (also "17h30", "17g", and "hh:mm dd/mm/yyyy", the order the bot prints) or
ISO "yyyy-mm-ddThh:mm" with an optional UTC offset. Times are local (Asia/Ho_Chi_Minh unless the
settings say otherwise) unless an offset is given.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.errors import UserError

DATE_HELP = "dd/mm/yyyy, ví dụ 30/06/2026"
DATETIME_HELP = "dd/mm/yyyy hh:mm theo giờ Việt Nam, ví dụ '30/06/2026 17:00'"
_DMY = r"(?P<d>\d{1,2})(?P<s>[/.-])(?P<m>\d{1,2})(?P=s)(?P<y>\d{4})"
_YMD = r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_TIME = r"(?P<hh>\d{1,2})(?:[:hHgG](?P<mm>\d{2})?)"
_DATES = (_DMY, _YMD)
_DATE_ONLY = tuple(re.compile(rf"^{day}$") for day in _DATES)
_WITH_TIME = tuple(
    re.compile(pattern, re.IGNORECASE)
    for day in _DATES
    for pattern in (
        rf"^{day}(?:\s+|T|,\s*)(?:lúc\s+)?{_TIME}$",
        rf"^{_TIME}(?:\s+|,\s*)(?:ngày\s+)?{day}$",
    )
)


class BadDate(UserError, ValueError):
    """A date or time written in a way the bot does not read; the message shows the right way."""

    def __init__(self, value: object, *, with_time: bool = False, label: str = "") -> None:
        what = label or ("Thời điểm" if with_time else "Ngày")
        example = DATETIME_HELP if with_time else DATE_HELP + " (hoặc 2026-06-30)"
        super().__init__(f"{what} '{value}' chưa đúng. Hãy viết {example}.")
        self.value = value


def parse_date(value: str | date, *, label: str = "") -> date:
    """A calendar date from text (or a date YAML already read); raises BadDate."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = " ".join(str(value).split())
    match = _first(_DATE_ONLY, text)
    if match is None:
        raise BadDate(text, label=label)
    return _day(match, text, label=label, with_time=False)


def parse_datetime(
    value: str | date,
    tz: ZoneInfo,
    *,
    default_time: time | None = None,
    label: str = "",
) -> datetime:
    """A moment (aware, UTC) from text in local time; a date alone means `default_time` (refused
    when there is none). Raises BadDate."""
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=tz)
        return local.astimezone(UTC)
    if isinstance(value, date):
        if default_time is None:
            raise BadDate(value.strftime("%d/%m/%Y"), with_time=True, label=label)
        return datetime.combine(value, default_time, tzinfo=tz).astimezone(UTC)
    text = " ".join(str(value).split())
    match = _first(_WITH_TIME, text)
    if match is not None:
        day = _day(match, text, label=label, with_time=True)
        hour, minute = int(match.group("hh")), int(match.group("mm") or 0)
        if hour > 23 or minute > 59:
            raise BadDate(text, with_time=True, label=label)
        return datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)
    match = _first(_DATE_ONLY, text)
    if match is not None:
        if default_time is None:
            raise BadDate(text, with_time=True, label=label)
        day = _day(match, text, label=label, with_time=True)
        return datetime.combine(day, default_time, tzinfo=tz).astimezone(UTC)
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise BadDate(text, with_time=True, label=label) from None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)).astimezone(UTC)
    raise BadDate(text, with_time=True, label=label)


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    return next((m for m in (p.match(text) for p in patterns) if m is not None), None)


def _day(match: re.Match[str], text: str, *, label: str, with_time: bool) -> date:
    try:
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        raise BadDate(text, with_time=with_time, label=label) from None
