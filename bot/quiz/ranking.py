"""Fair ranking of units: by rate of headcount, then average score, then who got there first."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.quiz.views import RankedUnit
from bot.storage.repositories.quiz_progress import UnitTally

_NEVER = datetime.max.replace(tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """What ranking needs to know of a unit besides its tally."""

    id: int
    code: str
    name: str
    headcount: int
    path: str = ""


def rate_of(passed: int, headcount: int) -> float:
    """Share of the headcount that met the target, capped at 1 (headcounts can be stale).

    A float is exact enough to rank: IEEE division is correctly rounded, so equal fractions
    (4/5, 8/10) give the same float, and unequal ones with realistic headcounts never collide.
    """
    if headcount <= 0:
        return 0.0
    return min(passed, headcount) / headcount


def rank_units(units: Iterable[UnitInfo], tallies: Mapping[int, UnitTally]) -> list[RankedUnit]:
    """Rank units with a headcount. Exact ties on all three keys share a rank (1, 2, 2, 4)."""
    entries = []
    for unit in units:
        if unit.headcount <= 0:
            continue
        tally = tallies.get(unit.id)
        passed = tally.passed if tally else 0
        registered = tally.registered if tally else 0
        average = tally.score_sum / tally.score_count if tally and tally.score_count else 0.0
        reached = tally.reached_at if tally and passed else None
        rate = rate_of(passed, unit.headcount)
        key = (-rate, -round(average, 6), reached or _NEVER)
        entries.append((key, unit, registered, passed, rate, average, reached))
    entries.sort(key=lambda entry: (entry[0], entry[1].name, entry[1].id))
    rows: list[RankedUnit] = []
    previous_key = None
    rank = 0
    for position, (key, unit, registered, passed, rate, average, reached) in enumerate(entries, 1):
        if key != previous_key:
            rank, previous_key = position, key
        rows.append(
            RankedUnit(
                rank,
                unit.id,
                unit.code,
                unit.name,
                unit.headcount,
                registered,
                passed,
                rate,
                average,
                reached,
            )
        )
    return rows
