"""Read-only views the quiz service hands to handlers, reports and other features."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True, slots=True)
class TargetView:
    """A target: which sets, for which units, by when and how many."""

    id: int
    code: str
    title: str
    period: str
    unit_id: int  # the unit in scope, or the parent of every unit in scope
    unit_name: str
    include_subunits: bool
    set_slugs: tuple[str, ...]
    required_rate: float
    starts_on: date
    due_on: date


@dataclass(frozen=True, slots=True)
class PersonalProgress:
    """One active target of a person's unit, seen by that person."""

    target_id: int
    title: str
    due_on: date
    unit_rate: float
    required_rate: float
    sets_remaining: int
    remaining_set_titles: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class UnitProgress:
    """One unit's standing against one active target."""

    target_id: int
    title: str
    due_on: date
    headcount: int
    registered: int
    passed: int
    rate: float
    required_rate: float


@dataclass(frozen=True, slots=True)
class RankedUnit:
    """A row of a leaderboard."""

    rank: int
    unit_id: int
    code: str
    name: str
    headcount: int
    registered: int
    passed: int
    rate: float
    avg_score: float
    reached_at: datetime | None


def unit_totals(rows: list[RankedUnit]) -> tuple[int, int, int]:
    """Headcount, registered and passed summed over ranked units (a leaderboard, an overview)."""
    return (
        sum(r.headcount for r in rows),
        sum(r.registered for r in rows),
        sum(r.passed for r in rows),
    )


@dataclass(frozen=True, slots=True)
class Leaderboard:
    """Units covered by a target under one parent, best first."""

    target: TargetView
    parent_id: int
    parent_name: str
    rows: list[RankedUnit]

    @property
    def totals(self) -> tuple[int, int, int]:
        """Headcount, registered and passed summed over the rows."""
        return unit_totals(self.rows)


@dataclass(frozen=True, slots=True)
class PendingPerson:
    """Someone of a unit who has not met a target yet."""

    name: str
    position: str
    registered: bool
    sets_passed: int = 0


@dataclass(frozen=True, slots=True)
class UnitTargetReport:
    """A manager's view of one target: their unit, its rank, who is missing, the units below."""

    progress: UnitProgress
    rank: int | None
    ranked_units: int
    pending: list[PendingPerson]
    set_count: int
    children: list[RankedUnit] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class AttemptSummary:
    """A finished attempt, as listed in /ketqua."""

    set_title: str
    practice: bool
    correct: int
    total: int
    score: float
    passed: bool
    finished_at: datetime


@dataclass(frozen=True, slots=True)
class WeekPoint:
    """Progress at the end of one week: people who had met the target by then, and their share
    of the headcount."""

    week_start: date
    met: int
    rate: float


@dataclass(frozen=True, slots=True)
class TargetOverview:
    """A target seen from the console: every unit ranked (the province's ranks, kept when the
    reader sees only their branch), the same units summed per group (the scope's direct
    sub-units: departments, the communes' group …) and the weekly trend."""

    target: TargetView
    rows: list[RankedUnit]
    groups: list[RankedUnit]
    weeks: list[WeekPoint]

    @property
    def totals(self) -> tuple[int, int, int]:
        """Headcount, registered and passed summed over the rows."""
        return unit_totals(self.rows)
