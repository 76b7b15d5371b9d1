"""Progress against targets: leaderboards, a unit's and a person's standing, who is missing."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import Clock
from bot.core.text import fold_words
from bot.quiz.bank import Bank
from bot.quiz.ranking import UnitInfo, rank_units, rate_of
from bot.quiz.targets import period_bounds, view_in, view_of
from bot.quiz.views import (
    Leaderboard,
    PendingPerson,
    PersonalProgress,
    RankedUnit,
    TargetOverview,
    TargetView,
    UnitProgress,
    UnitTargetReport,
    WeekPoint,
)
from bot.storage.db import Database
from bot.storage.models import QuizTarget, Unit
from bot.storage.repositories import quiz_attempts as attempt_repo
from bot.storage.repositories import quiz_progress as progress_repo
from bot.storage.repositories import quiz_targets as target_repo
from bot.storage.repositories import staff_roster as roster_repo
from bot.storage.repositories import units as unit_repo
from bot.storage.repositories import users as user_repo
from bot.storage.repositories.quiz_progress import UnitTally

PENDING_SHOWN = 50


class ProgressService:
    """Computes every figure about targets from the attempts, in aggregate SQL."""

    def __init__(self, db: Database, clock: Clock, tz: ZoneInfo, banks: Mapping[str, Bank]):
        self._db = db
        self._clock = clock
        self._tz = tz
        self._banks = banks

    def today(self) -> date:
        """The local date now."""
        return self._clock.now().astimezone(self._tz).date()

    def set_title(self, slug: str) -> str:
        """A set's title (the slug when the bank is gone)."""
        bank = self._banks.get(slug)
        return bank.title if bank else slug

    async def active_targets(self, on: date) -> list[TargetView]:
        """Targets whose period contains `on`."""
        async with self._db.transaction() as session:
            return [await view_in(session, t) for t in await target_repo.active_on(session, on=on)]

    async def leaderboard(self, target_id: int, parent_id: int | None = None) -> Leaderboard | None:
        """Units covered by a target under `parent_id` (default: the target's scope), ranked."""
        async with self._db.transaction() as session:
            target = await target_repo.by_id(session, target_id=target_id)
            if target is None:
                return None
            scope = await unit_repo.by_id(session, unit_id=target.unit_id)
            parent = await unit_repo.by_id(session, unit_id=parent_id) if parent_id else scope
            if scope is None or parent is None:
                return None
            units, tallies = await self._tallies(session, target, scope.path, parent.path)
            rows = rank_units(units.values(), tallies)
            return Leaderboard(view_of(target, scope.name), parent.id, parent.name, rows)

    async def overview(
        self, target_id: int, *, visible: Callable[[str], bool] | None = None
    ) -> TargetOverview | None:
        """The console's view of a target, limited to the units whose path `visible` accepts
        (a manager's branch): ranked rows, per-group sums and the weekly trend. The units are
        read first; then the per-unit aggregate over the standings (`quiz_target_members`) and
        the per-week count of who met the target run side by side, each in its own transaction
        (a pass recorded between the two reads may show in one and not yet in the other)."""
        async with self._db.transaction() as session:
            target = await target_repo.by_id(session, target_id=target_id)
            if target is None:
                return None
            scope = await unit_repo.by_id(session, unit_id=target.unit_id)
            if scope is None:
                return None
            covered = target_repo.covered_units(target, scope.path)
            units = await _units_in(session, covered)
        shown = {k: u for k, u in units.items() if visible is None or visible(u.path)}
        counted = [k for k, u in shown.items() if u.headcount > 0]  # the units ranked
        set_count = len(target.set_slugs)
        monday = target.starts_on - timedelta(days=target.starts_on.weekday())
        origin, _ = period_bounds(monday, monday, self._tz)

        async def tallies() -> list[UnitTally]:
            async with self._db.transaction() as session:
                return await progress_repo.unit_tallies(
                    session, target_id=target_id, set_count=set_count, unit_ids=covered
                )

        async def per_week() -> dict[int, int]:
            async with self._db.transaction() as session:
                return await progress_repo.met_by_week(
                    session,
                    target_id=target_id,
                    set_count=set_count,
                    unit_ids=counted,
                    origin=origin,
                )

        found, weeks_met = await asyncio.gather(tallies(), per_week())
        by_unit = {tally.unit_id: tally for tally in found}
        rows = [row for row in rank_units(units.values(), by_unit) if row.unit_id in shown]
        groups = _children_rollup(scope, shown, by_unit)
        headcount = sum(row.headcount for row in rows)
        last = min(self.today(), target.due_on)
        weeks = weekly(weeks_met, monday, last, headcount)
        return TargetOverview(view_of(target, scope.name), rows, groups, weeks)

    async def unit_progress(self, unit_id: int) -> list[UnitProgress]:
        """The unit's own figures against each active target that covers it."""
        async with self._db.transaction() as session:
            unit = await unit_repo.by_id(session, unit_id=unit_id)
            if unit is None:
                return []
            result = []
            for target in await self._targets_covering(session, unit):
                tally = await self._one_tally(session, target, unit.id)
                result.append(_unit_progress(target, unit.headcount, tally))
            return result

    async def personal_progress(self, user_id: int) -> list[PersonalProgress]:
        """For each active target of the person's unit: the unit's rate and what remains."""
        async with self._db.transaction() as session:
            user = await user_repo.by_id(session, user_id=user_id)
            if user is None or user.kind != progress_repo.STAFF or user.unit_id is None:
                return []
            unit = await unit_repo.by_id(session, unit_id=user.unit_id)
            if unit is None:
                return []
            result = []
            for target in await self._targets_covering(session, unit):
                tally = await self._one_tally(session, target, unit.id)
                start, end = period_bounds(target.starts_on, target.due_on, self._tz)
                passed = await attempt_repo.first_passes(
                    session, user_id=user_id, set_slugs=target.set_slugs, start=start, end=end
                )
                remaining = tuple(self.set_title(s) for s in target.set_slugs if s not in passed)
                rate = rate_of(tally.passed if tally else 0, unit.headcount)
                result.append(
                    PersonalProgress(
                        target.id,
                        target.title,
                        target.due_on,
                        float(rate),
                        target.required_rate,
                        len(remaining),
                        remaining,
                    )
                )
            return result

    async def staff_below_target(self, target_id: int | None = None) -> list[int]:
        """Registered staff who have not met that target, or any active target when None."""
        async with self._db.transaction() as session:
            if target_id is None:
                targets = await target_repo.active_on(session, on=self.today())
            else:
                found = await target_repo.by_id(session, target_id=target_id)
                targets = [found] if found else []
            below: set[int] = set()
            for target in targets:
                scope = await unit_repo.by_id(session, unit_id=target.unit_id)
                if scope is None:
                    continue
                below.update(
                    await progress_repo.staff_not_meeting(
                        session,
                        target_id=target.id,
                        set_count=len(target.set_slugs),
                        unit_ids=target_repo.covered_units(target, scope.path),
                    )
                )
            return sorted(below)

    async def unit_report(self, unit_id: int) -> list[UnitTargetReport]:
        """The manager view: per active target touching the unit, its figures (the unit and
        everything under it), its rank, who is missing, and its direct sub-units."""
        async with self._db.transaction() as session:
            unit = await unit_repo.by_id(session, unit_id=unit_id)
            if unit is None:
                return []
            reports = []
            for target in await target_repo.active_on(session, on=self.today()):
                scope = await unit_repo.by_id(session, unit_id=target.unit_id)
                if scope is None or not _touches(target, scope, unit):
                    continue
                reports.append(await self._report(session, target, scope, unit))
            return reports

    async def subgroups(self, parent_id: int, *, limit: int) -> list[UnitInfo]:
        """Direct sub-units of a unit that have sub-units of their own (to narrow a board)."""
        async with self._db.transaction() as session:
            return [
                UnitInfo(u.id, u.code, u.name, u.headcount, u.path)
                for u in await target_repo.subgroups(session, parent_id=parent_id, limit=limit)
            ]

    async def root_unit_ids(self) -> list[int]:
        """Units at the top of the tree (what an administrator manages)."""
        async with self._db.transaction() as session:
            return [unit.id for unit in await unit_repo.children(session, parent_id=None)]

    async def _report(
        self, session: AsyncSession, target: QuizTarget, scope: Unit, unit: Unit
    ) -> UnitTargetReport:
        units, tallies = await self._tallies(session, target, scope.path, None)
        ranked = rank_units(units.values(), tallies)
        rank = next((row.rank for row in ranked if row.unit_id == unit.id), None)
        mine = [u for u in units.values() if u.path.startswith(unit.path)]
        headcount = sum(u.headcount for u in mine)
        registered = sum(tallies[u.id].registered for u in mine if u.id in tallies)
        passed = sum(tallies[u.id].passed for u in mine if u.id in tallies)
        progress = UnitProgress(
            target.id,
            target.title,
            target.due_on,
            headcount,
            registered,
            passed,
            rate_of(passed, headcount),
            target.required_rate,
        )
        in_subtree = target_repo.covered_units(target, scope.path, unit.path)
        pending = [
            PendingPerson(r.full_name, r.position, True, r.sets_passed)
            for r in await progress_repo.staff_results(
                session,
                target_id=target.id,
                set_count=len(target.set_slugs),
                unit_ids=in_subtree,
                pending_only=True,
                limit=PENDING_SHOWN,
            )
        ]
        pending.sort(key=lambda person: (person.sets_passed, fold_words(person.name)))
        pending += await _unregistered(session, in_subtree)
        children = _children_rollup(unit, units, tallies)
        return UnitTargetReport(
            progress, rank, len(ranked), pending, len(target.set_slugs), children
        )

    async def _tallies(
        self, session: AsyncSession, target: QuizTarget, scope_path: str, within: str | None
    ) -> tuple[dict[int, UnitInfo], dict[int, UnitTally]]:
        covered = target_repo.covered_units(target, scope_path, within)
        units = await _units_in(session, covered)
        tallies = await progress_repo.unit_tallies(
            session, target_id=target.id, set_count=len(target.set_slugs), unit_ids=covered
        )
        return units, {tally.unit_id: tally for tally in tallies}

    async def _one_tally(
        self, session: AsyncSession, target: QuizTarget, unit_id: int
    ) -> UnitTally | None:
        found = await progress_repo.unit_tallies(
            session,
            target_id=target.id,
            set_count=len(target.set_slugs),
            unit_ids=select(Unit.id).where(Unit.id == unit_id),
        )
        return found[0] if found else None

    async def _targets_covering(self, session: AsyncSession, unit: Unit) -> list[QuizTarget]:
        result = []
        for target in await target_repo.active_on(session, on=self.today()):
            scope = await unit_repo.by_id(session, unit_id=target.unit_id)
            if scope is not None and target_repo.covers(target, scope.path, unit):
                result.append(target)
        return result


def weekly(
    per_week: Mapping[int, int], monday: date, last: date, headcount: int
) -> list[WeekPoint]:
    """Weeks from `monday` to the one holding `last`, each with how many people had met the
    target by its end (`per_week`: how many met it in week n after `monday`)."""
    points: list[WeekPoint] = []
    met = sum(count for index, count in per_week.items() if index < 0)
    index = 0
    while monday + timedelta(days=7 * index) <= last:
        met += per_week.get(index, 0)
        start = monday + timedelta(days=7 * index)
        points.append(WeekPoint(start, met, met / headcount if headcount else 0.0))
        index += 1
    return points


async def _units_in(session: AsyncSession, unit_ids: Select[Any]) -> dict[int, UnitInfo]:
    """What ranking needs of each unit among `unit_ids`, by id."""
    rows = await session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.headcount, Unit.path).where(
            Unit.id.in_(unit_ids)
        )
    )
    return {
        uid: UnitInfo(uid, code, name, headcount, path) for uid, code, name, headcount, path in rows
    }


def _touches(target: QuizTarget, scope: Unit, unit: Unit) -> bool:
    """Whether a target covers the unit or any unit under it."""
    if target_repo.covers(target, scope.path, unit):
        return True
    return scope.path.startswith(unit.path)


def _unit_progress(target: QuizTarget, headcount: int, tally: UnitTally | None) -> UnitProgress:
    passed = tally.passed if tally else 0
    return UnitProgress(
        target.id,
        target.title,
        target.due_on,
        headcount,
        tally.registered if tally else 0,
        passed,
        rate_of(passed, headcount),
        target.required_rate,
    )


def _children_rollup(
    unit: Unit, units: Mapping[int, UnitInfo], tallies: Mapping[int, UnitTally]
) -> list[RankedUnit]:
    """Each direct sub-unit with everything under it summed, ranked by rate."""
    prefix_len = len(unit.path)
    groups: dict[str, list[UnitInfo]] = {}
    for info in units.values():
        path = info.path
        if path.startswith(unit.path) and len(path) > prefix_len:
            child_code = path[prefix_len:].split("/", 1)[0]
            groups.setdefault(child_code, []).append(info)
    rolled: list[UnitInfo] = []
    sums: dict[int, UnitTally] = {}
    for members in groups.values():
        head = min(members, key=lambda info: len(info.path))
        headcount = sum(m.headcount for m in members)
        member_tallies = [tallies[m.id] for m in members if m.id in tallies]
        rolled.append(UnitInfo(head.id, head.code, head.name, headcount))
        sums[head.id] = UnitTally(
            head.id,
            sum(t.registered for t in member_tallies),
            sum(t.passed for t in member_tallies),
            sum(t.score_sum for t in member_tallies),
            sum(t.score_count for t in member_tallies),
            max((t.reached_at for t in member_tallies if t.reached_at), default=None),
        )
    return rank_units(rolled, sums)


async def _unregistered(session: AsyncSession, unit_ids: Select[Any]) -> list[PendingPerson]:
    """Roster entries of the units that no registered staff member of the same unit matches."""
    entries = await roster_repo.entries_for(session, unit_ids=unit_ids)
    if not entries:
        return []
    names = Counter(
        (unit_id, fold_words(name))
        for unit_id, name in await roster_repo.registered_names(
            session, unit_ids=sorted({e.unit_id for e in entries})
        )
    )
    missing = []
    for entry in entries:
        key = (entry.unit_id, entry.name_folded)
        if names[key] > 0:
            names[key] -= 1
            continue
        missing.append(PendingPerson(entry.full_name, entry.position, False))
    return missing
