"""Deadlines written by administrators: the YAML file format, read with the line of every entry
so that each problem is reported as "FILE:LINE: …".

    deadlines:
      - code: bao-cao-cds-q2                 # a-z, 0-9, '-' and '_'; unique
        title: Nộp báo cáo chuyển đổi số quý II
        description: Gửi qua hệ thống quản lý văn bản.   # optional
        due: 30/06/2026 17:00                # local time; a date alone means 17:00
        audience: under:SKHCN                # the names of `--audience` (or a mapping)
        offsets: [7d, 3d, 1d, morning]       # optional (this is the default)
        urgent: false                        # optional: true ignores the quiet hours

`due_in_days: 10` (with an optional `due_time: "17:00"`) may replace `due` (demo data).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from bot.core.dates import BadDate, parse_datetime
from bot.core.text import normalize
from bot.scheduler.audience_spec import SPEC_HELP
from bot.scheduler.timing import BadOffset, parse_offsets

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
DEFAULT_DUE_TIME = time(17, 0)
BadDue = BadDate
"""A due time written in a way the bot does not read (the one date parser's error)."""


@dataclass(frozen=True, slots=True)
class DeadlineEntry:
    """One deadline read from a file, audience still as written (codes, not ids)."""

    position: int
    code: str
    title: str
    description: str
    due_at: datetime
    audience: str | dict[str, Any]
    offsets: tuple[str, ...]
    urgent: bool
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line of the entry ("") and of each of its keys, for messages about them."""

    def where(self, key: str = "") -> str:
        """ "Dòng 12, mục 2 (bao-cao)" for messages about this entry or one of its keys."""
        line = self.lines.get(key) or self.lines.get("", 0)
        return f"Dòng {line}, mục {self.position} ({self.code})"


@dataclass(slots=True)
class DeadlineFile:
    """Entries, or problems each starting with its line (then nothing is imported)."""

    entries: list[DeadlineEntry] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_due(text: str, tz: ZoneInfo) -> datetime:
    """ "30/06/2026 17:00", "30/06/2026" (17:00) or ISO 8601 → aware UTC (raises BadDue)."""
    return parse_datetime(text, tz, default_time=DEFAULT_DUE_TIME, label="Hạn")


def read(content: str, *, tz: ZoneInfo, today: date) -> DeadlineFile:
    """Parse a deadlines file; every problem is reported with its line and entry."""
    result = DeadlineFile()
    try:
        root = yaml.compose(content, Loader=yaml.SafeLoader)
        data = yaml.safe_load(content) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"Dòng {mark.line + 1}, cột {mark.column + 1}: " if mark is not None else ""
        problem = getattr(error, "problem", None) or str(error)
        result.errors.append(f"{where}tệp YAML sai cú pháp ({problem}).")
        return result
    items = data.get("deadlines") if isinstance(data, dict) else None
    if not isinstance(items, list):
        result.errors.append("Dòng 1: tệp cần có danh sách 'deadlines:'.")
        return result
    item_nodes = _item_nodes(root)
    seen: set[str] = set()
    for position, item in enumerate(items, start=1):
        lines = _lines(item_nodes[position - 1]) if position <= len(item_nodes) else {}
        problems: list[tuple[str, str]] = []
        entry = _entry(position, item, tz, today, problems, lines)
        if entry is not None and entry.code in seen:
            problems.append(("code", f"mã '{entry.code}' bị trùng"))
        code = item.get("code") if isinstance(item, dict) else None
        label = f"mục {position}" + (f" ({code})" if code else "")
        for key, problem in problems:
            line = lines.get(key) or lines.get("", 0)
            result.errors.append(f"Dòng {line}, {label}: {problem}.")
        if entry is not None and not problems:
            seen.add(entry.code)
            result.entries.append(entry)
    return result


def _item_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """The YAML nodes of the entries under `deadlines:` (they carry line numbers)."""
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if getattr(key, "value", None) == "deadlines" and isinstance(value, yaml.SequenceNode):
            return list(value.value)
    return []


def _lines(node: yaml.Node) -> dict[str, int]:
    lines = {"": node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            lines[str(getattr(key, "value", ""))] = value.start_mark.line + 1
    return lines


def _entry(
    position: int,
    item: Any,
    tz: ZoneInfo,
    today: date,
    problems: list[tuple[str, str]],
    lines: dict[str, int],
) -> DeadlineEntry | None:
    if not isinstance(item, dict):
        problems.append(("", "mỗi mục phải là một bảng khóa: giá trị"))
        return None
    code = str(item.get("code") or "").strip()
    title = normalize(str(item.get("title") or ""))
    if not CODE.match(code):
        problems.append(
            ("code", "mã (code) chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 64 ký tự)")
        )
    if not title or len(title) > 300:
        problems.append(("title", "cần tiêu đề (title) dài 1–300 ký tự"))
    due_at = _due(item, tz, today, problems)
    try:
        offsets = tuple(parse_offsets(item.get("offsets")))
    except BadOffset as error:
        problems.append(
            ("offsets", f"mốc nhắc '{error}' chưa đúng (dùng 7d, 3d, 1d, 12h hoặc morning)")
        )
        offsets = ()
    audience = item.get("audience")
    if isinstance(audience, str) and audience.strip():
        audience = audience.strip()
    elif not isinstance(audience, dict) or not audience.get("kind"):
        problems.append(("audience", f"cần đối tượng nhận (audience), một trong: {SPEC_HELP}"))
        audience = ""
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
        lines,
    )


def _due(
    item: dict[str, Any], tz: ZoneInfo, today: date, problems: list[tuple[str, str]]
) -> datetime | None:
    if "due_in_days" in item:
        try:
            days = int(item["due_in_days"])
            at = time.fromisoformat(str(item.get("due_time") or "17:00"))
        except (TypeError, ValueError):
            problems.append(("due_in_days", "due_in_days phải là số ngày, due_time dạng HH:MM"))
            return None
        moment = datetime.combine(today + timedelta(days=days), at, tzinfo=tz)
        return moment.astimezone(ZoneInfo("UTC"))
    raw = item.get("due")
    try:
        return parse_due(raw if isinstance(raw, date) else str(raw or ""), tz)  # type: ignore[arg-type]
    except BadDate:
        problems.append(("due", f"hạn (due) '{raw or ''}' chưa đúng, ví dụ: 30/06/2026 17:00"))
        return None
