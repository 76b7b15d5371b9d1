"""Demo targets and made-up results (`cdsbot demo load`), so a fresh bot shows a real leaderboard.

Demo people live on the channel "demo" (nobody can write as them); their attempts are dated
inside each target's period and before today. Loading twice adds nothing the second time.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import func, insert, select

from bot.app import BotApp
from bot.quiz.targets import period_bounds
from bot.storage.models import QuizAttempt, Unit, User
from bot.storage.repositories import quiz_targets as target_repo

CHANNEL = "demo"


async def load_quiz_demo(bot: BotApp, path: Path, *, echo: Callable[[str], None]) -> list[str]:
    """Import the demo targets, then demo staff and results once; returns problems."""
    report = await bot.services.quiz.targets.import_file(path)
    if not report.ok:
        return report.errors
    echo(f"Chỉ tiêu mẫu: {report.created} mới, {report.updated} cập nhật.")
    data = yaml.safe_load(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    codes = {str(entry["code"]) for entry in data.get("targets") or []}
    people, attempts = await _activity(bot, data.get("activity") or {}, codes)
    if people:
        await bot.services.quiz.targets.rebuild_all()
        echo(f"Kết quả mẫu: {people} cán bộ, {attempts} bài làm.")
    else:
        echo("Kết quả mẫu đã có sẵn.")
    return []


async def _activity(bot: BotApp, spec: dict[str, Any], codes: set[str]) -> tuple[int, int]:
    rng = random.Random(spec.get("seed", 0))
    tz = bot.settings.tz
    now = bot.services.clock.now()
    async with bot.db.transaction() as session:
        if await session.scalar(
            select(func.count()).select_from(User).where(User.channel == CHANNEL)
        ):
            return 0, 0
        done: set[int] = set()
        people = attempts = 0
        for target in await target_repo.all_targets(session):
            if target.code not in codes:
                continue
            start, end = period_bounds(target.starts_on, target.due_on, tz)
            latest = min(end, now)
            if latest <= start:
                continue
            scope = await session.get(Unit, target.unit_id)
            assert scope is not None
            units = (
                await session.scalars(
                    select(Unit)
                    .where(Unit.id.in_(target_repo.covered_units(target, scope.path)))
                    .order_by(Unit.path)
                )
            ).all()
            for unit in units:
                if unit.id in done or unit.headcount <= 0:
                    continue
                done.add(unit.id)
                registered = round(unit.headcount * rng.uniform(*spec["registered_share"]))
                passed = round(registered * rng.uniform(*spec["passed_share"]))
                ids = await _people(session, spec, rng, unit, registered, now)
                rows = [
                    row
                    for number, user_id in enumerate(ids)
                    for row in _results(
                        target.set_slugs, number < passed, rng, start, latest, user_id
                    )
                ]
                if rows:
                    await session.execute(insert(QuizAttempt), rows)
                people += len(ids)
                attempts += len(rows)
        return people, attempts


async def _people(
    session: Any, spec: dict[str, Any], rng: random.Random, unit: Unit, count: int, now: datetime
) -> list[int]:
    """Insert `count` demo staff of a unit; their ids in order."""
    if count == 0:
        return []
    rows = [
        {
            "channel": CHANNEL,
            "external_id": f"{unit.code}-{number + 1}",
            "kind": "staff",
            "consent_at": now,
            "consent_version": "demo",
            "full_name": " ".join(
                (
                    rng.choice(spec["surnames"]),
                    rng.choice(spec["middle_names"]),
                    rng.choice(spec["given_names"]),
                )
            ),
            "position": rng.choice(spec["positions"]),
            "unit_id": unit.id,
            "registered_at": now,
            "created_at": now,
            "last_seen_at": now,
            # Demo staff stand for real, confirmed staff: they count on the demo leaderboard.
            "verified_unit_id": unit.id,
            "verified_at": now,
            "verified_via": "demo",
        }
        for number in range(count)
    ]
    result = await session.execute(
        insert(User).returning(User.id, sort_by_parameter_order=True), rows
    )
    return [row[0] for row in result]


def _results(
    sets: list[str],
    meets: bool,
    rng: random.Random,
    start: datetime,
    latest: datetime,
    user_id: int,
) -> list[dict[str, Any]]:
    """One attempt per set: passed for everyone who meets the target, else some fail."""
    rows = []
    for index, slug in enumerate(sets):
        passes = meets or (index == 0 and rng.random() < 0.5)
        correct = rng.randint(8, 10) if passes else rng.randint(4, 7)
        when = start + (latest - start) * rng.random()
        rows.append(
            {
                "user_id": user_id,
                "set_slug": slug,
                "practice": False,
                "status": "finished",
                "question_ids": [f"demo-{n}" for n in range(10)],
                "option_orders": [[0, 1, 2, 3]] * 10,
                "current_index": 10,
                "question_sent_at": when,
                "time_limit_s": 60,
                "pass_ratio": 0.8,
                "correct_count": correct,
                "score": correct / 10,
                "passed": correct >= 8,
                "started_at": when - timedelta(minutes=8),
                "finished_at": when,
            }
        )
    return rows
