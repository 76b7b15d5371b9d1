"""Quiz scale benchmark: leaderboard and manager view on PostgreSQL, answer recording on both.

Builds a province of N units (a tree up to four levels deep), staff and finished attempts with
bulk loads, then times the service calls the handlers make:
  * `progress.leaderboard(target)` for one province-wide target (two sets);
  * `progress.unit_report(unit)` — the data of /donvi — for a leaf unit, a group of ~100 units
    and the whole province; the chart image is timed separately;
  * `attempts.answer(...)` — one recorded answer — p50/p99 on PostgreSQL and SQLite.
Run: `.venv/bin/python bench/bench_quiz.py [--scales 0.1,0.4,1]` (PostgreSQL from
TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/...).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import asyncpg  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.app import BotApp  # noqa: E402
from bot.config import get_settings  # noqa: E402
from bot.core.clock import FrozenClock  # noqa: E402
from bot.messages import load_catalog  # noqa: E402
from bot.quiz.chart import rate_chart_pages  # noqa: E402
from bot.quiz.targets import TargetSpec  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SETS = [
    "ky-nang-so-co-ban",
    "an-toan-thong-tin",
    "dich-vu-cong-vneid",
    "du-lieu-ca-nhan",
    "chu-truong-chinh-sach",
]
NOW = datetime(2026, 6, 20, 3, 0, tzinfo=UTC)
FULL = {"units": 1000, "staff": 50_000, "attempts": 500_000}


def units_csv(count: int, rng: random.Random) -> str:
    """A tree: root → 10 groups → units, every fourth unit under the previous one."""
    lines = ["code,name,parent_code,kind,headcount,head_name,invite_code", "R,Tỉnh,,tinh,0,,"]
    groups = [f"G{g:02d}" for g in range(10)]
    lines += [f"{g},Khối {g},R,nhom,0,," for g in groups]
    previous = ""
    for index in range(count - 11):
        code = f"U{index:04d}"
        parent = previous if index % 4 == 3 and previous else groups[index % 10]
        lines.append(f"{code},Đơn vị {index:04d},{parent},so,{rng.randint(40, 70)},,")
        previous = code
    return "\n".join(lines) + "\n"


def attempt_rows(user_ids: list[int], total: int, rng: random.Random) -> list[tuple]:  # type: ignore[type-arg]
    """`total` finished attempts spread over the staff: most pass a set on the second try."""
    rows = []
    start = datetime(2026, 1, 5, tzinfo=UTC)
    span = (NOW - start).total_seconds()
    ids = json.dumps([f"q{i}" for i in range(10)])
    orders = json.dumps([[0, 1, 2, 3]] * 10)
    per_user = max(1, total // len(user_ids))
    for user_id in user_ids:
        for n in range(per_user):
            slug = SETS[(n // 2) % len(SETS)]
            correct = rng.randint(7, 10) if n % 2 else rng.randint(4, 10)
            when = start + timedelta(seconds=rng.random() * span)
            practice = rng.random() < 0.05
            rows.append(
                (
                    user_id,
                    slug,
                    practice,
                    "finished",
                    ids,
                    orders,
                    10,
                    when,
                    60,
                    0.8,
                    correct,
                    correct / 10,
                    correct >= 8,
                    when - timedelta(minutes=7),
                    when,
                )
            )
            if len(rows) >= total:
                return rows
    return rows


ATTEMPT_COLUMNS = [
    "user_id",
    "set_slug",
    "practice",
    "status",
    "question_ids",
    "option_orders",
    "current_index",
    "question_sent_at",
    "time_limit_s",
    "pass_ratio",
    "correct_count",
    "score",
    "passed",
    "started_at",
    "finished_at",
]
USER_COLUMNS = [
    "channel",
    "external_id",
    "kind",
    "consent_at",
    "consent_version",
    "full_name",
    "position",
    "unit_id",
    "registered_at",
    "created_at",
    "last_seen_at",
    "verified_unit_id",  # confirmed staff: they count (issue 12)
    "verified_at",
    "verified_via",
]


def staff_rows(units: list[tuple[int, int]], count: int, rng: random.Random) -> list[tuple]:  # type: ignore[type-arg]
    """`count` registered staff, spread over units in proportion to headcount."""
    weights = [headcount for _, headcount in units]
    chosen = rng.choices([unit_id for unit_id, _ in units], weights=weights, k=count)
    return [
        (
            "bench",
            f"s{n}",
            "staff",
            NOW,
            "bench",
            f"Cán bộ {n}",
            "Chuyên viên",
            unit_id,
            NOW,
            NOW,
            NOW,
            unit_id,
            NOW,
            "bench",
        )
        for n, unit_id in enumerate(chosen)
    ]


async def build(bot: BotApp, scale: float, rng: random.Random, bulk) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Units through the service, staff and attempts through the bulk loader."""
    report = await bot.services.units.import_text(units_csv(int(FULL["units"] * scale), rng))
    assert report.ok, report.errors[:3]
    async with bot.db.transaction() as session:
        units = [
            (row[0], row[1])
            for row in await session.execute(
                text("SELECT id, headcount FROM units WHERE headcount > 0 AND code LIKE 'U%'")
            )
        ]
    staff = staff_rows(units, int(FULL["staff"] * scale), rng)
    user_ids = await bulk("users", USER_COLUMNS, staff)
    attempts = attempt_rows(user_ids, int(FULL["attempts"] * scale), rng)
    await bulk("quiz_attempts", ATTEMPT_COLUMNS, attempts)
    _, _, problems = await bot.services.quiz.targets.define(
        TargetSpec(
            code="BENCH",
            title="Bench",
            unit_code="R",
            set_slugs=("ky-nang-so-co-ban", "an-toan-thong-tin"),
            starts_on=date(2026, 1, 1),
            due_on=date(2026, 12, 31),
        )
    )
    assert not problems, problems
    return {"units": len(units) + 11, "staff": len(staff), "attempts": len(attempts)}


async def timed(call, repeat: int) -> list[float]:  # type: ignore[no-untyped-def]
    """Milliseconds of each run after one warm-up."""
    await call()
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def summary(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return f"median {statistics.median(ordered):.1f} ms, p99 {p99:.1f} ms (n={len(ordered)})"


async def answers(bot: BotApp, people: int = 100) -> tuple[list[float], list[float], float]:
    """Start `people` attempts and time every answer; the last answers (which finish the
    attempt and refresh the person's target standing) are also reported on their own, and the
    bot process's own CPU time per answer (what a quiet machine would add to the database's)."""
    async with bot.db.transaction() as session:
        ids = [
            row[0]
            for row in await session.execute(
                text("SELECT id FROM users WHERE channel = 'bench' ORDER BY id LIMIT :n"),
                {"n": people},
            )
        ]
    quiz = bot.services.quiz.attempts
    samples, finishing = [], []
    cpu = 0.0
    for user_id in ids:
        started = await quiz.start(user_id, "ky-nang-so-co-ban", practice=False)
        assert started.question is not None
        attempt_id = started.question.attempt_id
        for index in range(started.question.total):
            begin, begin_cpu = time.perf_counter(), time.process_time()
            outcome = await quiz.answer(user_id, attempt_id, index, index % 4)
            samples.append((time.perf_counter() - begin) * 1000)
            cpu += time.process_time() - begin_cpu
            assert outcome.kind.value == "accepted", outcome.kind
        finishing.append(samples[-1])
    return samples, finishing, cpu * 1000 / max(1, len(samples))


async def answer_figures(bot: BotApp) -> dict[str, str]:
    """Every answer, and the finishing ones alone."""
    every, finishing, cpu = await answers(bot)
    return {
        "answer": summary(every),
        "answer_finishing": summary(finishing),
        "answer_cpu_ms": f"{cpu:.2f} ms of bot CPU per answer",
    }


async def views(bot: BotApp) -> dict[str, str]:
    """Leaderboard and /donvi timings."""
    quiz = bot.services.quiz
    target = await quiz.targets.by_code("BENCH")
    assert target is not None
    async with bot.db.transaction() as session:
        leaf = (
            await session.execute(
                text(
                    "SELECT id FROM units WHERE code LIKE 'U%' AND id NOT IN "
                    "(SELECT parent_id FROM units WHERE parent_id IS NOT NULL) LIMIT 1"
                )
            )
        ).scalar()
        group = (await session.execute(text("SELECT id FROM units WHERE code = 'G03'"))).scalar()
        root = (await session.execute(text("SELECT id FROM units WHERE code = 'R'"))).scalar()
    result = {"leaderboard": summary(await timed(lambda: quiz.progress.leaderboard(target.id), 15))}
    for name, unit_id in (("donvi_leaf", leaf), ("donvi_group", group), ("donvi_root", root)):
        result[name] = summary(await timed(lambda u=unit_id: quiz.progress.unit_report(u), 15))
    report = (await quiz.progress.unit_report(group))[0]
    result["chart_group"] = summary(
        await timed(
            lambda: asyncio.to_thread(
                rate_chart_pages,
                report.children,
                required_rate=0.8,
                title="Bench",
                scope="G03",
                t=load_catalog(),
            ),
            5,
        )
    )
    return result


async def pg_bulk_loader(url: str):  # type: ignore[no-untyped-def]
    connection = await asyncpg.connect(url)

    async def bulk(table: str, columns: list[str], rows: list[tuple]) -> list[int]:  # type: ignore[type-arg]
        first = await connection.fetchval(f"SELECT coalesce(max(id), 0) FROM {table}")
        await connection.copy_records_to_table(table, records=rows, columns=columns)
        await connection.execute(f"ANALYZE {table}")
        ids = await connection.fetch(f"SELECT id FROM {table} WHERE id > $1 ORDER BY id", first)
        return [row["id"] for row in ids]

    return connection, bulk


def sqlite_bulk_loader(path: str):  # type: ignore[no-untyped-def]
    async def bulk(table: str, columns: list[str], rows: list[tuple]) -> list[int]:  # type: ignore[type-arg]
        def run() -> list[int]:
            connection = sqlite3.connect(path)
            first = connection.execute(f"SELECT coalesce(max(id), 0) FROM {table}").fetchone()[0]
            marks = ",".join("?" * len(columns))
            converted = [
                tuple(
                    v.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
                    if isinstance(v, datetime)
                    else v
                    for v in row
                )
                for row in rows
            ]
            connection.executemany(
                f"INSERT INTO {table} ({','.join(columns)}) VALUES ({marks})", converted
            )
            connection.commit()
            ids = [
                r[0]
                for r in connection.execute(
                    f"SELECT id FROM {table} WHERE id > ? ORDER BY id", (first,)
                )
            ]
            connection.execute("ANALYZE")
            connection.close()
            return ids

        return await asyncio.to_thread(run)

    return bulk


async def run_pg(
    scale: float, keep: bool = False, name: str = "cdsbot_bench_quiz"
) -> dict[str, object]:
    admin = PG.rsplit("/", 1)[0] + "/postgres"
    connection = await asyncpg.connect(admin)
    await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await connection.execute(f'CREATE DATABASE "{name}"')
    await connection.close()
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    await asyncio.to_thread(upgrade, url)
    bot = BotApp.build(get_settings(database_url=url, _env_file=None), clock=FrozenClock(NOW))
    raw, bulk = await pg_bulk_loader(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        sizes = await build(bot, scale, random.Random(4), bulk)
        await raw.execute("VACUUM ANALYZE")
        result: dict[str, object] = {"backend": "postgresql", **sizes, **await views(bot)}
        return {**result, **await answer_figures(bot)}
    finally:
        await raw.close()
        await bot.close()
        if not keep:
            connection = await asyncpg.connect(admin)
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.close()


async def run_sqlite(scale: float) -> dict[str, object]:
    folder = tempfile.mkdtemp(prefix="bench-quiz-")
    path = f"{folder}/bench.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(upgrade, url)
    bot = BotApp.build(get_settings(database_url=url, _env_file=None), clock=FrozenClock(NOW))
    try:
        sizes = await build(bot, scale, random.Random(4), sqlite_bulk_loader(path))
        result: dict[str, object] = {"backend": "sqlite", **sizes}
        result["leaderboard"] = summary(
            await timed(lambda: bot.services.quiz.progress.leaderboard(1), 5)
        )
        return {**result, **await answer_figures(bot)}
    finally:
        await bot.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scales", default="0.1,0.4,1", help="fractions of the full size")
    parser.add_argument("--sqlite-scale", type=float, default=1.0, help="0 to skip SQLite")
    parser.add_argument("--keep", action="store_true", help="keep the last PostgreSQL database")
    parser.add_argument(
        "--database", default="cdsbot_bench_quiz", help="the PostgreSQL database to (re)create"
    )
    args = parser.parse_args()
    print(
        json.dumps(
            {
                "nproc": os.cpu_count(),
                "loadavg": [round(x, 2) for x in os.getloadavg()],
                "date": datetime.now(UTC).date().isoformat(),
            }
        ),
        flush=True,
    )
    for scale in [float(s) for s in args.scales.split(",")]:
        print(
            json.dumps(await run_pg(scale, args.keep, args.database), ensure_ascii=False),
            flush=True,
        )
    if not args.sqlite_scale:
        return
    print(json.dumps(await run_sqlite(args.sqlite_scale), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
