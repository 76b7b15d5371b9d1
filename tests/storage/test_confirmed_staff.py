"""The confirmed-staff rule that counts a unit's people (quiz progress, /donvi, deadline
audiences): who it keeps, on both databases, and that PostgreSQL estimates how many it keeps.

PostgreSQL guessed that `verified_unit_id = unit_id` kept 0.5 % of the staff (it has no
statistics for an equality of two columns) and planned /donvi for the whole province with nested
loops over every person; the rule is now an expression it keeps statistics for (migration
0014_perf_indexes)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql

from bot.app import BotApp
from bot.storage.models import Unit, User
from bot.storage.repositories import audience as audience_repo
from bot.storage.repositories.quiz_progress import registered_staff

NOW = datetime(2026, 6, 1, tzinfo=UTC)
CONFIRMED, CLAIMED, ELSEWHERE = 600, 200, 200


async def _people(bot: BotApp) -> tuple[int, int]:
    """Staff of two units: confirmed for their unit, awaiting confirmation, or confirmed for the
    other unit (they moved); plus citizens. Returns the two unit ids."""
    async with bot.db.transaction() as session:
        first, second = (await session.scalars(select(Unit.id).order_by(Unit.id).limit(2))).all()
        rows = []
        for n in range(CONFIRMED + CLAIMED + ELSEWHERE):
            verified = first if n < CONFIRMED else None if n < CONFIRMED + CLAIMED else second
            rows.append(
                {
                    "channel": "telegram",
                    "external_id": f"s{n}",
                    "kind": "staff",
                    "consent_at": NOW,
                    "unit_id": first,
                    "verified_unit_id": verified,
                    "created_at": NOW,
                    "last_seen_at": NOW,
                }
            )
        for n in range(500):
            rows.append(
                {
                    "channel": "telegram",
                    "external_id": f"c{n}",
                    "kind": "citizen",
                    "consent_at": NOW,
                    "unit_id": None,
                    "verified_unit_id": None,
                    "created_at": NOW,
                    "last_seen_at": NOW,
                }
            )
        await session.execute(User.__table__.insert(), rows)
    return first, second


async def test_only_staff_confirmed_for_their_own_unit_count(bot: BotApp) -> None:
    first, second = await _people(bot)
    async with bot.db.transaction() as session:
        counted = (
            await session.scalars(select(User.id).where(registered_staff(select(Unit.id))))
        ).all()
        audience = await audience_repo.staff(session, unit_ids=[first, second])
    assert len(counted) == CONFIRMED
    assert audience == set(counted)


async def test_postgresql_estimates_how_many_staff_are_confirmed(bot: BotApp) -> None:
    if bot.db.engine.dialect.name != "postgresql":
        return  # SQLite plans without such estimates
    await _people(bot)
    statement = select(User.id).where(registered_staff(select(Unit.id)))
    sql = statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})
    async with bot.db.transaction() as session:
        await session.execute(text("ANALYZE users"))
        plan = (await session.execute(text(f"EXPLAIN (FORMAT JSON) {sql}"))).scalar_one()
    plan = json.loads(plan) if isinstance(plan, str) else plan
    estimate = plan[0]["Plan"]["Plan Rows"]
    # The old rule's estimate was 0.5 % of the staff (5 rows here); the statistics' is near 600.
    assert CONFIRMED / 2 <= estimate <= CONFIRMED * 2, estimate
