"""Shared fixtures: a real database per test (SQLite and PostgreSQL), a wired bot, a chat helper.

Every test that asks for `bot` or `db_url` runs twice: once on SQLite, once on PostgreSQL. Each
backend is migrated once per test session with Alembic (so migrations are tested too); each test
then gets a clean copy (SQLite) or emptied tables (PostgreSQL).

What every test would otherwise repeat is done once per session (about a second per test on a
loaded machine, a third of the suite): the demo units are imported once per backend with the real
import and each `bot` gets the resulting rows in one statement, and the quiz banks are parsed and
checked once per set of bank files (`_banks_checked_once`). The import and the bank checks have
their own tests (tests/services/test_units_import.py, tests/content/test_quiz_banks.py).
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.quiz import bank as quiz_bank
from bot.storage.migrate import upgrade
from bot.storage.models import Base
from tests.helpers.chat import Chat
from tests.helpers.demo_units import import_once, load_demo_units

ADMIN_PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]
START = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)  # 09:00 in Đắk Lắk


@pytest.fixture(scope="session", params=BACKENDS)
def migrated_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """A freshly migrated database per backend, for the whole session."""
    if request.param == "sqlite":
        template = tmp_path_factory.mktemp("sqlite-template") / "template.db"
        upgrade(f"sqlite+aiosqlite:///{template}")
        yield ("sqlite", template)
        return
    name = f"cdsbot_test_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = _pg_url(name)
        upgrade(url)
        yield ("postgresql", url)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _copy_sqlite(source: Path, target: Path) -> None:
    """Copy a closed SQLite database (WAL mode: its write-ahead log too, should one be left)."""
    shutil.copy(source, target)
    log = source.with_name(source.name + "-wal")
    if log.exists():
        shutil.copy(log, target.with_name(target.name + "-wal"))


def _pg_url(database: str) -> str:
    base = ADMIN_PG_URL.rsplit("/", 1)[0]
    return base.replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{database}"


async def _pg_admin(statement: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(ADMIN_PG_URL)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def demo_units(migrated_backend, tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    """The rows that importing bot/demo/units.csv leaves in `units` on this backend, made once
    per session by the real import (on PostgreSQL in the session's database, emptied again by
    each test's `db_url`; on SQLite in a copy of the template): tests/helpers/demo_units.py."""
    backend, location = migrated_backend
    if backend == "sqlite":
        scratch = tmp_path_factory.mktemp("sqlite-units") / "units.db"
        _copy_sqlite(location, scratch)
        location = f"sqlite+aiosqlite:///{scratch}"
    return asyncio.run(import_once(location))


@pytest.fixture(scope="session", autouse=True)
def _banks_checked_once() -> Iterator[None]:
    """Parse and check the quiz banks once per set of bank files, not once per bot built (a
    third of a second each: most of `BotApp.build`). Same files, same result: the key is the
    folder, the topics asked for and the bytes of every bank file, and each caller gets its own
    dict and list. Tests that replace `check_banks` themselves still can."""
    real = quiz_bank.check_banks
    seen: dict[tuple[object, ...], tuple[dict[str, Any], list[Any]]] = {}

    def check_banks(
        directory: Path = quiz_bank.BANKS_DIR, topics: Collection[str] | None = None
    ) -> tuple[dict[str, Any], list[Any]]:
        digest = hashlib.sha256()
        for path in sorted(Path(directory).glob("*.yaml")):
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        key = (str(directory), None if topics is None else frozenset(topics), digest.digest())
        if key not in seen:
            seen[key] = real(directory, topics)
        banks, issues = seen[key]
        return dict(banks), list(issues)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quiz_bank, "check_banks", check_banks)
        yield


@pytest.fixture
def db_url(migrated_backend, demo_units, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database URL for one test."""
    backend, location = migrated_backend
    if backend == "sqlite":
        target = tmp_path / "test.db"
        _copy_sqlite(location, target)
        yield f"sqlite+aiosqlite:///{target}"
        return
    asyncio.run(_empty(location))
    yield location


async def _empty(url: str) -> None:
    """Delete every row and restart every sequence: much faster than TRUNCATE for small tables."""
    import asyncpg

    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        sequences = await connection.fetch(
            "SELECT sequence_name FROM information_schema.sequences"
            " WHERE sequence_schema = 'public'"
        )
        async with connection.transaction():
            for table in reversed(Base.metadata.sorted_tables):
                await connection.execute(f'DELETE FROM "{table.name}"')
            for row in sequences:
                await connection.execute(f'ALTER SEQUENCE "{row[0]}" RESTART')
    finally:
        await connection.close()


@pytest.fixture
def clock() -> FrozenClock:
    """A clock that moves only when the test says so."""
    return FrozenClock(START)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings for one test: its own database and data folder, no platform tokens."""
    return get_settings(database_url=db_url, data_dir=tmp_path / "data", _env_file=None)


@pytest.fixture
async def bot(settings: Settings, clock: FrozenClock) -> AsyncIterator[BotApp]:
    """A fully wired bot on a clean database, with the demo units loaded."""
    app = BotApp.build(settings, clock=clock)
    await load_demo_units(app.db)
    try:
        yield app
    finally:
        await app.close()


@pytest.fixture
def chat(bot: BotApp) -> Chat:
    """A conversation with the bot as one person on a test channel."""
    return Chat(bot, channel="test", user_id="u1")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    """Say how many tests ran on each database, so a run shows it covered both."""
    counts = {backend: 0 for backend in BACKENDS}
    for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get(
        "failed", []
    ):
        if report.when != "call":
            continue
        for backend in BACKENDS:
            if f"[{backend}" in report.nodeid or f"-{backend}]" in report.nodeid:
                counts[backend] += 1
    terminalreporter.write_line(
        "database backends: " + ", ".join(f"{name} {count} tests" for name, count in counts.items())
    )
