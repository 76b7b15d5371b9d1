"""Aggregate queries behind targets, leaderboards and the manager view.

A staff member meets a target when, for every set of the target, they have a counted (not
practice) attempt that passed within the target's period. Everything is computed in SQL with
GROUP BY, so one leaderboard is a handful of index scans whatever the number of attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import as_utc
from bot.storage.models import QuizAttempt, User

STAFF = "staff"


@dataclass(frozen=True, slots=True)
class UnitTally:
    """One unit's figures for one target."""

    unit_id: int
    registered: int
    passed: int
    score_sum: float  # sum over (staff, set) of the best score in the period
    score_count: int
    reached_at: datetime | None  # when the unit's last counted staff member met the target


@dataclass(frozen=True, slots=True)
class StaffResult:
    """One registered staff member's standing against a target."""

    user_id: int
    full_name: str
    position: str
    sets_passed: int
    met: bool


def registered_staff(unit_ids: Select[Any]) -> Any:
    """The condition for registered staff of the given units."""
    return (
        (User.kind == STAFF)
        & User.consent_at.is_not(None)
        & User.unit_id.in_(unit_ids)
    )


def _per_user(
    set_slugs: Sequence[str], start: datetime, end: datetime, users: Select[Any]
) -> CTE:
    """Per user: sum and count of best scores per set, sets passed, and when the last was."""
    attempt = QuizAttempt
    best = (
        select(
            attempt.user_id,
            func.max(attempt.score).label("best"),
            func.min(case((attempt.passed, attempt.finished_at))).label("first_pass"),
        )
        .where(
            attempt.set_slug.in_(list(set_slugs)),
            attempt.finished_at >= start,
            attempt.finished_at < end,
            attempt.practice.is_(False),
            attempt.user_id.in_(users),
        )
        .group_by(attempt.user_id, attempt.set_slug)
        .cte("best")
    )
    return (
        select(
            best.c.user_id,
            func.sum(best.c.best).label("score_sum"),
            func.count().label("score_count"),
            func.count(best.c.first_pass).label("sets_passed"),
            func.max(best.c.first_pass).label("last_pass"),
        )
        .group_by(best.c.user_id)
        .cte("per_user")
    )


async def unit_tallies(
    session: AsyncSession,
    *,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
    unit_ids: Select[Any],
) -> list[UnitTally]:
    """Figures of every unit (among `unit_ids`) that has registered staff."""
    scope = registered_staff(unit_ids)
    per_user = _per_user(set_slugs, start, end, select(User.id).where(scope))
    met = per_user.c.sets_passed == len(set_slugs)
    statement = (
        select(
            User.unit_id,
            func.count(User.id),
            func.sum(case((met, 1), else_=0)),
            func.coalesce(func.sum(per_user.c.score_sum), 0.0),
            func.coalesce(func.sum(per_user.c.score_count), 0),
            func.max(case((met, per_user.c.last_pass))),
        )
        .select_from(User)
        .outerjoin(per_user, per_user.c.user_id == User.id)
        .where(scope)
        .group_by(User.unit_id)
    )
    rows = await session.execute(statement)
    return [
        UnitTally(int(unit_id), int(registered), int(passed or 0), float(score_sum),
                  int(score_count), _aware(reached))
        for unit_id, registered, passed, score_sum, score_count, reached in rows
    ]


async def staff_results(
    session: AsyncSession,
    *,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
    unit_ids: Select[Any],
    pending_only: bool = False,
    limit: int | None = None,
) -> list[StaffResult]:
    """Registered staff of the units (or only those who have not met the target), by name,
    with how many of the sets they passed."""
    scope = registered_staff(unit_ids)
    per_user = _per_user(set_slugs, start, end, select(User.id).where(scope))
    passed = func.coalesce(per_user.c.sets_passed, 0)
    statement = (
        select(User.id, User.full_name, User.position, passed)
        .select_from(User)
        .outerjoin(per_user, per_user.c.user_id == User.id)
        .where(scope)
        .order_by(User.full_name, User.id)
        .limit(limit)
    )
    if pending_only:
        statement = statement.where(passed < len(set_slugs))
    rows = await session.execute(statement)
    return [
        StaffResult(int(uid), name or "", position or "", int(count),
                    int(count) >= len(set_slugs))
        for uid, name, position, count in rows
    ]


async def staff_not_meeting(
    session: AsyncSession,
    *,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
    unit_ids: Select[Any],
) -> list[int]:
    """Ids of registered staff of the units who have not met the target."""
    scope = registered_staff(unit_ids)
    per_user = _per_user(set_slugs, start, end, select(User.id).where(scope))
    rows = await session.scalars(
        select(User.id)
        .select_from(User)
        .outerjoin(per_user, per_user.c.user_id == User.id)
        .where(scope, func.coalesce(per_user.c.sets_passed, 0) < len(set_slugs))
        .order_by(User.id)
    )
    return [int(uid) for uid in rows]


def _aware(value: Any) -> datetime | None:
    """Aggregates over a UTC column may come back naive (SQLite) or as text: normalise."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return as_utc(value)
