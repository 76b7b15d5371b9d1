"""Shared fixtures: a real database per test (SQLite and PostgreSQL), a wired bot, a chat helper.

Every test that asks for `bot` or `db_url` runs twice: once on SQLite, once on PostgreSQL. Each
backend is migrated once per test session with Alembic (so migrations are tested too); each test
then gets a clean copy (SQLite) or truncated tables (PostgreSQL).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.storage.migrate import upgrade
from bot.storage.models import Base
from tests.helpers.chat import Chat

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


@pytest.fixture
def db_url(migrated_backend, tmp_path: Path) -> Iterator[str]:
    """A clean, migrated database URL for one test."""
    backend, location = migrated_backend
    if backend == "sqlite":
        target = tmp_path / "test.db"
        shutil.copy(location, target)
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
    report = await app.services.units.import_csv(Path("bot/demo/units.csv"))
    assert report.ok, report.errors
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
