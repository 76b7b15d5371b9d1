"""Aggregate queries behind targets, leaderboards and the manager view.

A staff member meets a target when, for every set of the target, they have a counted (not
practice) attempt that passed within the target's period. Each person's standing per target is
kept in `quiz_target_members` (refreshed from their attempts when one finishes, rebuilt with one
INSERT … SELECT when a target changes), so a leaderboard is one GROUP BY over registered staff
joined to one row each, whatever the number of attempts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    Integer,
    Select,
    bindparam,
    case,
    cast,
    delete,
    extract,
    func,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.clock import as_utc
from bot.storage.models import QuizAttempt, QuizTargetMember, User
from bot.storage.models.base import UtcDateTime
from bot.storage.models.users import CONFIRMED_UNIT
from bot.storage.repositories._dialect import Executor, dialect_name, insert_of

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
    """The condition for counted staff of the given units: registered as staff and confirmed
    for the unit they are in now (see `bot.services.staff`); self-declared staff never count."""
    return (
        (User.kind == STAFF)
        & User.consent_at.is_not(None)
        & User.unit_id.in_(unit_ids)
        & CONFIRMED_UNIT.is_not(None)  # verified_unit_id = unit_id, with statistics (see there)
    )


def _rollup(set_slugs: Any, start: Any, end: Any, who: Any) -> Select[Any]:
    """Per user (among attempts matching `who`): sum and count of the best score per set, how
    many sets were passed, and when the latest of those first passes happened."""
    attempt = QuizAttempt
    best = (
        select(
            attempt.user_id,
            func.max(attempt.score).label("best"),
            func.min(case((attempt.passed, attempt.finished_at))).label("first_pass"),
        )
        .where(
            attempt.set_slug.in_(set_slugs),
            attempt.finished_at >= start,
            attempt.finished_at < end,
            attempt.practice.is_(False),
            attempt.user_id.is_not(None),
            who,
        )
        .group_by(attempt.user_id, attempt.set_slug)
        .subquery("best")
    )
    return select(
        best.c.user_id,
        func.sum(best.c.best),
        func.count(),
        func.count(best.c.first_pass),
        func.max(best.c.first_pass),
    ).group_by(best.c.user_id)


async def rebuild_members(
    session: AsyncSession,
    *,
    target_id: int,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
) -> None:
    """Recompute every member row of a target from the attempts."""
    member = QuizTargetMember
    await session.execute(delete(member).where(member.target_id == target_id))
    rollup = _rollup(set_slugs, start, end, true()).subquery("rollup")
    await session.execute(
        insert(member).from_select(_MEMBER_COLUMNS, select(literal(target_id), *rollup.c))
    )


async def refresh_member(
    executor: Executor,
    *,
    target_id: int,
    user_id: int,
    set_slugs: Sequence[str],
    start: datetime,
    end: datetime,
) -> None:
    """Recompute one person's row after a counted attempt of theirs finished in the period
    (one INSERT … SELECT … ON CONFLICT UPDATE, on both SQLite and PostgreSQL; built once per
    dialect because it runs at the end of every counted attempt)."""
    params: dict[str, Any] = {
        "target_id": target_id,
        "user_id": user_id,
        "start": start,
        "end": end,
    }
    params.update((f"set_{i}", slug) for i, slug in enumerate(set_slugs))
    await executor.execute(_refresh_statement(dialect_name(executor), len(set_slugs)), params)


@cache
def _refresh_statement(dialect: str, set_count: int) -> Any:
    """One statement per dialect and number of sets (an IN list of plain parameters is cached
    whole; an expanding one would be re-rendered on every run)."""
    attempt = QuizAttempt
    rollup = _rollup(
        [bindparam(f"set_{i}", type_=attempt.set_slug.type) for i in range(set_count)],
        bindparam("start", type_=attempt.finished_at.type),
        bindparam("end", type_=attempt.finished_at.type),
        attempt.user_id == bindparam("user_id"),
    ).subquery("rollup")
    # SQLite needs a WHERE in an upsert's SELECT, or it reads ON CONFLICT as a join condition.
    source = select(bindparam("target_id", type_=Integer), *rollup.c).where(true())
    statement = insert_of(dialect, QuizTargetMember.__table__).from_select(_MEMBER_COLUMNS, source)
    return statement.on_conflict_do_update(
        index_elements=["target_id", "user_id"],
        set_={name: statement.excluded[name] for name in _MEMBER_COLUMNS[2:]},
    )


_MEMBER_COLUMNS = ["target_id", "user_id", "score_sum", "score_count", "sets_passed", "last_pass"]


async def delete_members(session: AsyncSession, *, user_id: int) -> None:
    """Forget a person's standing against every target (personal-data erasure)."""
    await session.execute(delete(QuizTargetMember).where(QuizTargetMember.user_id == user_id))


def _joined(target_id: int) -> Any:
    return (
        select()
        .select_from(User)
        .outerjoin(
            QuizTargetMember,
            (QuizTargetMember.user_id == User.id) & (QuizTargetMember.target_id == target_id),
        )
    )


async def unit_tallies(
    session: AsyncSession, *, target_id: int, set_count: int, unit_ids: Select[Any]
) -> list[UnitTally]:
    """Figures of every unit (among `unit_ids`) that has registered staff."""
    member = QuizTargetMember
    met = member.sets_passed >= set_count
    statement = (
        _joined(target_id)
        .add_columns(
            User.unit_id,
            func.count(User.id),
            func.sum(case((met, 1), else_=0)),
            func.coalesce(func.sum(member.score_sum), 0.0),
            func.coalesce(func.sum(member.score_count), 0),
            func.max(case((met, member.last_pass))),
        )
        .where(registered_staff(unit_ids))
        .group_by(User.unit_id)
    )
    rows = await session.execute(statement)
    return [
        UnitTally(
            int(unit_id),
            int(registered),
            int(passed or 0),
            float(score_sum),
            int(score_count),
            _aware(reached),
        )
        for unit_id, registered, passed, score_sum, score_count, reached in rows
    ]


async def staff_results(
    session: AsyncSession,
    *,
    target_id: int,
    set_count: int,
    unit_ids: Select[Any],
    pending_only: bool = False,
    limit: int | None = None,
) -> list[StaffResult]:
    """Registered staff of the units (or only those who have not met the target), fewest sets
    passed first, with how many of the sets they passed."""
    passed = func.coalesce(QuizTargetMember.sets_passed, 0)
    statement = (
        _joined(target_id)
        .add_columns(User.id, User.full_name, User.position, passed)
        .where(registered_staff(unit_ids))
        .order_by(passed, User.full_name, User.id)
        .limit(limit)
    )
    if pending_only:
        statement = statement.where(passed < set_count)
    rows = await session.execute(statement)
    return [
        StaffResult(int(uid), name or "", position or "", int(count), int(count) >= set_count)
        for uid, name, position, count in rows
    ]


async def staff_not_meeting(
    session: AsyncSession, *, target_id: int, set_count: int, unit_ids: Select[Any]
) -> list[int]:
    """Ids of registered staff of the units who have not met the target."""
    passed = func.coalesce(QuizTargetMember.sets_passed, 0)
    rows = await session.scalars(
        _joined(target_id)
        .add_columns(User.id)
        .where(registered_staff(unit_ids), passed < set_count)
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


async def met_by_week(
    session: AsyncSession,
    *,
    target_id: int,
    set_count: int,
    unit_ids: Sequence[int],
    origin: datetime,
) -> dict[int, int]:
    """How many counted staff of the units met the target in each week after `origin`
    (week 0 = the 7 × 24 hours from `origin`), counted in the database (the console's trend)."""
    member = QuizTargetMember
    start = bindparam("origin", origin, type_=UtcDateTime())
    if dialect_name(session) == "postgresql":
        seconds = extract("epoch", member.last_pass - start)
        week = cast(func.floor(seconds / WEEK_SECONDS), Integer)
    else:
        week = cast((func.julianday(member.last_pass) - func.julianday(start)) / 7, Integer)
    statement = (
        select(week, func.count())
        .select_from(User)
        .join(member, (member.user_id == User.id) & (member.target_id == target_id))
        .where(
            registered_staff(list(unit_ids)),  # type: ignore[arg-type]
            member.sets_passed >= set_count,
            member.last_pass.is_not(None),
        )
        .group_by(week)
    )
    return {int(index): int(count) for index, count in await session.execute(statement)}


WEEK_SECONDS = 7 * 24 * 3600
