"""Units: finding one by name or invitation code, and importing the tree from CSV."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import csv_text
from bot.core.text import fold_words, normalize
from bot.storage.db import Database
from bot.storage.models import Unit
from bot.storage.repositories import units as unit_repo

CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
INVITE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
COLUMNS = ("code", "name", "parent_code", "kind", "headcount", "head_name", "invite_code")
REQUIRED = ("code", "name")


@dataclass(frozen=True, slots=True)
class UnitView:
    """What handlers need to know of a unit."""

    id: int
    code: str
    name: str
    parent_id: int | None
    headcount: int


@dataclass(frozen=True, slots=True)
class UnitSearch:
    """Units matching a search, and how many matched in all."""

    units: list[UnitView]
    total: int
    exact: list[UnitView] = field(default_factory=list)
    """Units named exactly as typed (diacritics optional), or whose code or invitation code was
    typed: when there is only one, it is what the person meant and needs no tap."""

    @property
    def only_exact(self) -> UnitView | None:
        """The one unit that matches exactly, if exactly one does."""
        return self.exact[0] if len(self.exact) == 1 else None


@dataclass(slots=True)
class ImportReport:
    """The outcome of a CSV import: counts, or line-numbered errors (then nothing changed)."""

    created: int = 0
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _Row:
    line: int
    code: str
    name: str
    parent_code: str
    kind: str
    headcount: int
    head_name: str
    invite_code: str


def _view(unit: Unit) -> UnitView:
    return UnitView(unit.id, unit.code, unit.name, unit.parent_id, unit.headcount)


class UnitService:
    """Read access to units for conversations, and the CSV import for administrators."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def search(self, query: str, *, limit: int = 8) -> UnitSearch:
        """Units whose name contains every word typed (diacritics optional), or the code."""
        words = fold_words(query).split()
        if not words:
            return UnitSearch([], 0)
        async with self._db.transaction() as session:
            exact = await unit_repo.by_code(session, code=query.strip())
            if exact is None and INVITE_PATTERN.match(query.strip()):
                exact = await unit_repo.by_invite_code(session, invite_code=query.strip())
            if exact is not None:
                return UnitSearch([_view(exact)], 1, [_view(exact)])
            named = await unit_repo.by_folded_name(session, name_folded=" ".join(words), limit=2)
            found = await unit_repo.search(session, folded_words=words, limit=limit)
            total = len(found)
            if total == limit:
                total = await unit_repo.count_matching(session, folded_words=words)
            return UnitSearch([_view(unit) for unit in found], total, [_view(u) for u in named])

    async def by_invite_code(self, code: str) -> UnitView | None:
        """The unit a deep-link payload or typed invitation code points to."""
        if not INVITE_PATTERN.match(code):
            return None
        async with self._db.transaction() as session:
            unit = await unit_repo.by_invite_code(session, invite_code=code)
            return _view(unit) if unit else None

    async def get(self, unit_id: int) -> UnitView | None:
        """One unit by id."""
        async with self._db.transaction() as session:
            unit = await unit_repo.by_id(session, unit_id=unit_id)
            return _view(unit) if unit else None

    async def paths_of(self, unit_ids: Iterable[int]) -> dict[int, str]:
        """Each unit's tree path ("/DLK/SKHCN/"), to check who manages what."""
        wanted = set(unit_ids)
        if not wanted:
            return {}
        async with self._db.transaction() as session:
            return await unit_repo.paths_of(session, unit_ids=wanted)

    async def import_csv(self, path: Path) -> ImportReport:
        """Create or update units from a CSV file; all or nothing."""
        return await self.import_text(await asyncio.to_thread(csv_text.read_file, path))

    async def import_text(self, content: str) -> ImportReport:
        """Create or update units from CSV text (header row first)."""
        report = ImportReport()
        rows = _parse(content, report)
        if not rows and not report.ok:
            return report
        async with self._db.transaction() as session:
            existing = {unit.code: unit for unit in await unit_repo.all_units(session)}
            _check_tree(rows, existing, report)
            report.errors.sort(key=_line_of)
            for row in rows:
                if (
                    row.invite_code
                    and await unit_repo.invite_code_taken(
                        session, invite_code=row.invite_code, except_code=row.code
                    )
                    and row.invite_code.lower() not in _invites_moving(rows, existing)
                ):
                    report.errors.append(
                        f"Dòng {row.line}: mã mời '{row.invite_code}' đã dùng cho đơn vị khác."
                    )
            if not report.ok:
                return report
            for row in _parents_first(rows, existing):
                unit = existing.get(row.code)
                parent = existing.get(row.parent_code) if row.parent_code else None
                if unit is None:
                    unit = Unit(code=row.code)
                    session.add(unit)
                    existing[row.code] = unit
                    report.created += 1
                else:
                    report.updated += 1
                unit.name = row.name
                unit.name_folded = fold_words(row.name)
                unit.kind = row.kind
                unit.headcount = row.headcount
                unit.head_name = row.head_name
                unit.invite_code = row.invite_code or None
                unit.parent_id = parent.id if parent else None
                unit.path = f"{parent.path if parent else '/'}{row.code}/"
                unit.depth = (parent.depth + 1) if parent else 0
                await session.flush()
            await _refresh_descendant_paths(session, existing)
        return report


def _line_of(error: str) -> int:
    digits = error.removeprefix("Dòng ").split(":", 1)[0]
    return int(digits) if digits.isdigit() else 0


def _parse(content: str, report: ImportReport) -> list[_Row]:
    reader = csv_text.dict_rows(content)
    header = [name.strip() for name in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        report.errors.append(f"Dòng 1: thiếu cột {', '.join(missing)} (cần: {', '.join(COLUMNS)}).")
        return []
    rows: list[_Row] = []
    seen: dict[str, int] = {}
    invites: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        values = {(key or "").strip(): (value or "").strip() for key, value in raw.items()}
        if not any(values.values()):
            continue
        code, name = values.get("code", ""), normalize(values.get("name", ""))
        problems = []
        if not CODE_PATTERN.match(code):
            problems.append("mã đơn vị chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 64 ký tự)")
        if not name:
            problems.append("thiếu tên đơn vị")
        headcount_text = values.get("headcount", "") or "0"
        if not (headcount_text.isascii() and headcount_text.isdigit()):
            problems.append(f"biên chế '{headcount_text}' phải là số nguyên không âm")
        invite = values.get("invite_code", "")
        if invite and not INVITE_PATTERN.match(invite):
            problems.append("mã mời chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 32 ký tự)")
        if code in seen:
            problems.append(f"mã '{code}' trùng với dòng {seen[code]}")
        if invite and invite.lower() in invites:
            problems.append(f"mã mời '{invite}' trùng với dòng {invites[invite.lower()]}")
        seen.setdefault(code, number)
        for problem in problems:
            report.errors.append(f"Dòng {number}: {problem}.")
        if problems:
            continue
        if invite:
            invites[invite.lower()] = number
        rows.append(
            _Row(
                number,
                code,
                name,
                values.get("parent_code", ""),
                values.get("kind", ""),
                int(headcount_text),
                normalize(values.get("head_name", "")),
                invite,
            )
        )
    return rows


def _check_tree(rows: list[_Row], existing: dict[str, Unit], report: ImportReport) -> None:
    parent_of = {
        code: unit.path.strip("/").split("/")[-2] if unit.parent_id else ""
        for code, unit in existing.items()
    }
    parent_of.update({row.code: row.parent_code for row in rows})
    for row in rows:
        if row.parent_code and row.parent_code not in parent_of:
            report.errors.append(
                f"Dòng {row.line}: đơn vị cấp trên '{row.parent_code}' không có trong tệp "
                "hay trong dữ liệu."
            )
            continue
        seen = {row.code}
        cursor = row.parent_code
        while cursor:
            if cursor in seen:
                report.errors.append(f"Dòng {row.line}: quan hệ cấp trên tạo thành vòng lặp.")
                break
            seen.add(cursor)
            cursor = parent_of.get(cursor, "")


def _invites_moving(rows: list[_Row], existing: dict[str, Unit]) -> set[str]:
    """Invitation codes that this file takes away from the units that had them."""
    moving: set[str] = set()
    by_code = {row.code: row for row in rows}
    for code, unit in existing.items():
        row = by_code.get(code)
        if (
            unit.invite_code
            and row is not None
            and row.invite_code.lower() != unit.invite_code.lower()
        ):
            moving.add(unit.invite_code.lower())
    return moving


def _parents_first(rows: list[_Row], existing: dict[str, Unit]) -> list[_Row]:
    by_code = {row.code: row for row in rows}
    ordered: list[_Row] = []
    placed: set[str] = set()

    def place(row: _Row) -> None:
        if row.code in placed:
            return
        placed.add(row.code)
        parent = by_code.get(row.parent_code)
        if parent is not None:
            place(parent)
        ordered.append(row)

    for row in rows:
        place(row)
    return ordered


async def _refresh_descendant_paths(session, units: dict[str, Unit]) -> None:  # type: ignore[no-untyped-def]
    """Recompute every path and depth from the parent links (a moved unit moves its subtree)."""
    by_id = {unit.id: unit for unit in units.values()}
    resolved: dict[int, tuple[str, int]] = {}

    def resolve(unit: Unit) -> tuple[str, int]:
        if unit.id in resolved:
            return resolved[unit.id]
        if unit.parent_id is None or unit.parent_id not in by_id:
            result = (f"/{unit.code}/", 0)
        else:
            parent_path, parent_depth = resolve(by_id[unit.parent_id])
            result = (f"{parent_path}{unit.code}/", parent_depth + 1)
        resolved[unit.id] = result
        return result

    for unit in by_id.values():
        path, depth = resolve(unit)
        if unit.path != path or unit.depth != depth:
            unit.path, unit.depth = path, depth
    await session.flush()
