"""Deadlines written by administrators: the YAML file format and the due-time notation.

    deadlines:
      - code: bao-cao-cds-q2                 # a-z, 0-9, '-' and '_'; unique
        title: Nộp báo cáo chuyển đổi số quý II
        description: Gửi qua hệ thống quản lý văn bản.   # optional
        due: 30/06/2026 17:00                # local time; a date alone means 17:00
        audience: {kind: units, units: [SKHCN], subunits: true}
        offsets: [7d, 3d, 1d, morning]       # optional (this is the default)
        urgent: false                        # optional: true ignores the quiet hours

`due_in_days: 10` (with an optional `due_time: "17:00"`) may replace `due` (demo data).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.core.text import normalize
from bot.scheduler.timing import BadOffset, parse_offsets

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_DUE_TIME = time(17, 0)
_DUE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:\s+(\d{1,2})[:hg](\d{2}))?$")


class BadDue(ValueError):
    """A due time written in a way the bot does not read."""


@dataclass(frozen=True, slots=True)
class DeadlineEntry:
    """One deadline read from a file, audience still as written (codes, not ids)."""

    position: int
    code: str
    title: str
    description: str
    due_at: datetime
    audience: dict[str, Any]
    offsets: tuple[str, ...]
    urgent: bool


@dataclass(slots=True)
class DeadlineFile:
    """Entries, or numbered problems (then nothing is imported)."""

    entries: list[DeadlineEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_due(text: str, tz: ZoneInfo) -> datetime:
    """ "30/06/2026 17:00", "30/06/2026" (17:00) or ISO 8601 → aware UTC."""
    value = text.strip()
    match = _DUE.match(value)
    if match:
        day, month, year, hour, minute = match.groups()
        try:
            moment = datetime(
                int(year),
                int(month),
                int(day),
                int(hour) if hour else DEFAULT_DUE_TIME.hour,
                int(minute) if minute else DEFAULT_DUE_TIME.minute,
            )
        except ValueError:
            raise BadDue(value) from None
        return moment.replace(tzinfo=tz).astimezone(ZoneInfo("UTC"))
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise BadDue(value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed.astimezone(ZoneInfo("UTC"))


def read(content: str, *, tz: ZoneInfo, today: date) -> DeadlineFile:
    """Parse a deadlines file; every problem is reported with the entry it is in."""
    result = DeadlineFile()
    try:
        data = yaml.safe_load(content) or {}
    except yaml.YAMLError as error:
        result.errors.append(f"Tệp YAML không đọc được: {error}")
        return result
    items = data.get("deadlines") if isinstance(data, dict) else None
    if not isinstance(items, list):
        result.errors.append("Tệp cần có danh sách 'deadlines:'.")
        return result
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        problems: list[str] = []
        entry = _entry(position, item, tz, today, problems)
        if entry is not None and entry.code in seen:
            problems.append(f"mã '{entry.code}' bị trùng")
        label = f"Mục {position}" + (
            f" ({item.get('code')})" if isinstance(item, dict) and item.get("code") else ""
        )
        result.errors.extend(f"{label}: {problem}." for problem in problems)
        if entry is not None and not problems:
            seen.add(entry.code)
            result.entries.append(entry)
    return result


def _entry(
    position: int, item: Any, tz: ZoneInfo, today: date, problems: list[str]
) -> DeadlineEntry | None:
    if not isinstance(item, dict):
        problems.append("mỗi mục phải là một bảng khóa: giá trị")
        return None
    code = str(item.get("code") or "").strip()
    title = normalize(str(item.get("title") or ""))
    if not CODE.match(code):
        problems.append("mã (code) chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 64 ký tự)")
    if not title or len(title) > 300:
        problems.append("cần tiêu đề (title) dài 1–300 ký tự")
    due_at = _due(item, tz, today, problems)
    try:
        offsets = tuple(parse_offsets(item.get("offsets")))
    except BadOffset as error:
        problems.append(f"mốc nhắc '{error}' chưa đúng (dùng 7d, 3d, 1d, 12h hoặc morning)")
        offsets = ()
    audience = item.get("audience")
    if not isinstance(audience, dict) or not audience.get("kind"):
        problems.append("cần đối tượng nhận (audience) có 'kind'")
        audience = {}
    if problems or due_at is None:
        return None
    return DeadlineEntry(
        position,
        code,
        title,
        normalize(str(item.get("description") or "")),
        due_at,
        audience,
        offsets,
        bool(item.get("urgent", False)),
    )


def _due(item: dict[str, Any], tz: ZoneInfo, today: date, problems: list[str]) -> datetime | None:
    if "due_in_days" in item:
        try:
            days = int(item["due_in_days"])
            at = time.fromisoformat(str(item.get("due_time") or "17:00"))
        except (TypeError, ValueError):
            problems.append("due_in_days phải là số ngày, due_time dạng HH:MM")
            return None
        moment = datetime.combine(today + timedelta(days=days), at, tzinfo=tz)
        return moment.astimezone(ZoneInfo("UTC"))
    raw = item.get("due")
    if isinstance(raw, datetime):
        raw = raw.isoformat()
    elif isinstance(raw, date):
        raw = raw.strftime("%d/%m/%Y")
    try:
        return parse_due(str(raw or ""), tz)
    except BadDue:
        problems.append(f"hạn (due) '{raw}' chưa đúng, ví dụ: 30/06/2026 17:00")
        return None
