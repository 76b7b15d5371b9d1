"""Apply Alembic migrations from code (`cdsbot db upgrade`, `make run`, tests)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Bring the database to the newest schema. Call outside a running event loop."""
    command.upgrade(alembic_config(url), revision)


async def upgrade_async(url: str, revision: str = "heads") -> None:
    """The same, from async code (runs Alembic in a worker thread with its own loop)."""
    await asyncio.to_thread(upgrade, url, revision)


def head_revisions() -> tuple[str, ...]:
    """The newest revision(s) of the shipped migrations."""
    return tuple(ScriptDirectory.from_config(alembic_config("")).get_heads())


async def current_revisions(url: str) -> tuple[str, ...]:
    """The revision(s) the database is at (empty for a database without our tables)."""
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(MigrationContext.configure(connection).get_current_heads())


def pending_revisions(current: tuple[str, ...]) -> list[str]:
    """The revisions an upgrade from `current` applies, oldest first."""
    script = ScriptDirectory.from_config(alembic_config(""))
    lower = current or "base"
    return [rev.revision for rev in script.iterate_revisions("heads", lower)][::-1]


def upgrade_reporting(url: str) -> tuple[list[str], str]:
    """Upgrade to the newest schema; the revisions applied (oldest first) and the head reached."""
    pending = pending_revisions(asyncio.run(current_revisions(url)))
    upgrade(url)
    return pending, ", ".join(head_revisions())
