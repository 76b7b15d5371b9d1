"""Target definitions: validation, the YAML data file, and the period of each target."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dates import BadDate, parse_date
from bot.core.text import normalize
from bot.quiz.bank import Bank
from bot.quiz.views import TargetView
from bot.services.units import ImportReport
from bot.storage.db import Database
from bot.storage.models import QuizTarget
from bot.storage.repositories import quiz_progress as progress_repo
from bot.storage.repositories import quiz_targets as target_repo
from bot.storage.repositories import units as unit_repo
from bot.storage.repositories._dialect import Executor
from bot.storage.repositories.quiz_attempts import TargetPeriod

CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """A target as an administrator writes it (CLI options or one entry of the data file)."""

    code: str
    title: str
    unit_code: str
    set_slugs: tuple[str, ...]
    starts_on: date
    due_on: date
    required_rate: float = 0.8
    include_subunits: bool = True
    period: str = ""


def period_bounds(starts_on: date, due_on: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period as [start, end) instants: from the first day's midnight to after the due day."""
    start = datetime.combine(starts_on, time.min, tz)
    end = datetime.combine(due_on + timedelta(days=1), time.min, tz)
    return start, end


def view_of(target: QuizTarget, unit_name: str) -> TargetView:
    """The read-only view of a stored target."""
    return TargetView(
        target.id,
        target.code,
        target.title,
        target.period,
        target.unit_id,
        unit_name,
        target.include_subunits,
        tuple(target.set_slugs),
        target.required_rate,
        target.starts_on,
        target.due_on,
    )


async def view_in(session: AsyncSession, target: QuizTarget) -> TargetView:
    """The view of a target with its scope unit's name read in `session`."""
    unit = await unit_repo.by_id(session, unit_id=target.unit_id)
    return view_of(target, unit.name if unit else "")


def check_spec(spec: TargetSpec, banks: Mapping[str, Bank]) -> list[str]:
    """What is wrong with a target definition (empty when it is fine)."""
    problems = []
    if not CODE.match(spec.code):
        problems.append("mã chỉ tiêu chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 64 ký tự)")
    if not spec.title.strip():
        problems.append("thiếu tên chỉ tiêu")
    if not spec.set_slugs:
        problems.append("cần ít nhất một bộ câu hỏi")
    unknown = [slug for slug in spec.set_slugs if slug not in banks]
    if unknown:
        known = ", ".join(sorted(banks))
        problems.append(f"không có bộ câu hỏi {', '.join(unknown)} (có: {known})")
    if len(set(spec.set_slugs)) != len(spec.set_slugs):
        problems.append("một bộ câu hỏi bị ghi hai lần")
    if not 0 < spec.required_rate <= 1:
        problems.append("tỷ lệ yêu cầu phải lớn hơn 0 và không quá 100%")
    if spec.due_on < spec.starts_on:
        problems.append("ngày hết hạn phải sau ngày bắt đầu")
    return problems


def parse_rate(value: Any) -> float:
    """80, "80%", 0.8 → 0.8."""
    text = str(value).strip().rstrip("%").replace(",", ".")
    number = float(text)
    return number / 100 if number > 1 else number


def spec_from_mapping(entry: Mapping[str, Any]) -> TargetSpec:
    """One entry of the targets data file; raises ValueError/KeyError on a malformed entry."""
    sets = entry["sets"]
    if isinstance(sets, str):
        sets = [part.strip() for part in sets.split(",") if part.strip()]
    return TargetSpec(
        code=str(entry["code"]).strip(),
        title=normalize(str(entry["title"])),
        unit_code=str(entry["unit"]).strip(),
        set_slugs=tuple(str(slug) for slug in sets),
        starts_on=_as_date(entry["starts_on"], "Ngày bắt đầu (starts_on)"),
        due_on=_as_date(entry["due_on"], "Hạn chót (due_on)"),
        required_rate=parse_rate(entry.get("required_rate", 0.8)),
        include_subunits=bool(entry.get("include_subunits", True)),
        period=normalize(str(entry.get("period", ""))),
    )


def _as_date(value: Any, label: str) -> date:
    return parse_date(value if isinstance(value, date) else str(value), label=label)


async def rebuild(session: AsyncSession, target: QuizTarget, tz: ZoneInfo) -> None:
    """Recompute everyone's standing against a target from the attempts."""
    start, end = period_bounds(target.starts_on, target.due_on, tz)
    await progress_repo.rebuild_members(
        session, target_id=target.id, set_slugs=target.set_slugs, start=start, end=end
    )


async def refresh_standings(
    executor: Executor,
    periods: Sequence[TargetPeriod | QuizTarget],
    *,
    user_id: int,
    set_slug: str,
    tz: ZoneInfo,
) -> None:
    """Update the person's standing in those of `periods` (targets active when their attempt
    finished) that count the attempt's set."""
    for target in periods:
        if set_slug in target.set_slugs:
            start, end = period_bounds(target.starts_on, target.due_on, tz)
            await progress_repo.refresh_member(
                executor,
                target_id=target.id,
                user_id=user_id,
                set_slugs=target.set_slugs,
                start=start,
                end=end,
            )


class _Rollback(Exception):
    """Raised inside a transaction to undo a partly applied import."""


class TargetService:
    """Define, import, list and remove targets."""

    def __init__(self, db: Database, banks: Mapping[str, Bank], tz: ZoneInfo) -> None:
        self._db = db
        self._banks = banks
        self._tz = tz

    async def define(self, spec: TargetSpec) -> tuple[TargetView | None, bool, list[str]]:
        """Create or update one target; returns (view, created, problems)."""
        report = ImportReport()
        views = await self._save([spec], report, lines=[0])
        if not report.ok:
            return None, False, report.errors
        return views[0], report.created == 1, []

    async def import_file(self, path: Path) -> ImportReport:
        """Create or update every target in a YAML file (`targets:` list); all or nothing."""
        report = ImportReport()
        try:
            text = await asyncio.to_thread(path.read_text, encoding="utf-8")
            data = yaml.safe_load(text) or {}
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            report.errors.append(f"{path}: không đọc được tệp YAML ({exc}).")
            return report
        entries = data.get("targets") if isinstance(data, dict) else None
        if not isinstance(entries, list):
            report.errors.append(f"{path}: cần danh sách 'targets:'.")
            return report
        specs: list[TargetSpec] = []
        for number, entry in enumerate(entries, 1):
            try:
                specs.append(spec_from_mapping(entry))
            except BadDate as exc:
                report.errors.append(f"Chỉ tiêu thứ {number}: {exc}")
            except (KeyError, ValueError, TypeError) as exc:
                report.errors.append(f"Chỉ tiêu thứ {number}: thiếu hoặc sai trường {exc}.")
        if report.ok:
            await self._save(specs, report, lines=list(range(1, len(specs) + 1)))
        return report

    async def _save(
        self, specs: list[TargetSpec], report: ImportReport, *, lines: list[int]
    ) -> list[TargetView]:
        for spec, number in zip(specs, lines, strict=True):
            where = f"Chỉ tiêu thứ {number} ({spec.code}): " if number else ""
            report.errors.extend(where + problem for problem in check_spec(spec, self._banks))
        if not report.ok:
            return []
        views = []
        try:
            async with self._db.transaction() as session:
                for spec, number in zip(specs, lines, strict=True):
                    unit = await unit_repo.by_code(session, code=spec.unit_code)
                    if unit is None:
                        where = f"Chỉ tiêu thứ {number} ({spec.code}): " if number else ""
                        report.errors.append(f"{where}không có đơn vị mã '{spec.unit_code}'")
                        continue
                    target, created = await target_repo.upsert(
                        session,
                        code=spec.code,
                        title=spec.title,
                        period=spec.period,
                        unit_id=unit.id,
                        include_subunits=spec.include_subunits,
                        set_slugs=list(spec.set_slugs),
                        required_rate=spec.required_rate,
                        starts_on=spec.starts_on,
                        due_on=spec.due_on,
                    )
                    await rebuild(session, target, self._tz)
                    report.created += created
                    report.updated += not created
                    views.append(view_of(target, unit.name))
                if not report.ok:
                    raise _Rollback
        except _Rollback:
            report.created = report.updated = 0
            return []
        return views

    async def rebuild_all(self) -> int:
        """Recompute every target's standings from the attempts (after bulk loads)."""
        async with self._db.transaction() as session:
            targets = await target_repo.all_targets(session)
            for target in targets:
                await rebuild(session, target, self._tz)
            return len(targets)

    async def remove(self, code: str) -> bool:
        """Delete a target by code."""
        async with self._db.transaction() as session:
            return await target_repo.remove(session, code=code)

    async def all(self) -> list[TargetView]:
        """Every target, latest due first."""
        async with self._db.transaction() as session:
            return [await view_in(session, t) for t in await target_repo.all_targets(session)]

    async def get(self, target_id: int) -> TargetView | None:
        """One target by id."""
        async with self._db.transaction() as session:
            target = await target_repo.by_id(session, target_id=target_id)
            return await view_in(session, target) if target else None

    async def by_code(self, code: str) -> TargetView | None:
        """One target by code."""
        async with self._db.transaction() as session:
            target = await target_repo.by_code(session, code=code)
            return await view_in(session, target) if target else None
