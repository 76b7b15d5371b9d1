"""Storage faults are bounded and honest, with real faults: a PostgreSQL that hangs (a proxy that
stalls, a statement held by a lock), a backend terminated mid-transaction, a stopped database,
and a locked SQLite file. Each ends in `StorageUnavailable` within the configured time-outs, is
logged once when storage goes down and once when it is back, and a bug (a constraint violation) is
still a bug."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from bot.core.errors import StorageUnavailable
from bot.storage.db import Database
from bot.storage.timeouts import Timeouts
from tests.helpers.server import free_port
from tests.helpers.tcp_proxy import REFUSE, STALL, FaultyProxy, faulty_proxy

FAST = Timeouts(connect=1.0, statement=1.0, pool=1.0, busy=1.0)


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("a PostgreSQL server fault")
    return db_url


@pytest.fixture
def proxy(pg_url: str) -> Iterator[tuple[FaultyProxy, str]]:
    """A proxy in front of the test database, and the database URL through it."""
    url = make_url(pg_url)
    with faulty_proxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running, url.set(host="127.0.0.1", port=running.port).render_as_string(False)


async def _select_one(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT 1"))).scalar_one())


async def _fails_within(db: Database, seconds: float, sql: str = "SELECT 1") -> float:
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        async with db.transaction() as session:
            await session.execute(text(sql))
    elapsed = time.monotonic() - started
    assert elapsed < seconds, f"waited {elapsed:.1f} s"
    return elapsed


def _outage_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    return [r.getMessage() for r in caplog.records if r.name == "bot.storage"]


async def test_a_hanging_database_fails_fast_and_is_logged_once(
    proxy: tuple[FaultyProxy, str], caplog: pytest.LogCaptureFixture
) -> None:
    faulty, url = proxy
    db = Database.from_url(url, pool_size=1, timeouts=FAST)
    caplog.set_level(logging.INFO)
    try:
        assert await _select_one(db) == 1
        faulty.set_mode(STALL)
        # a pooled connection: the client gives up after statement + 1 s, and the rollback after
        # as long again; a new connection: after the connect time-out
        await _fails_within(db, 5.0)
        for _ in range(3):
            await _fails_within(db, 3.0)
        assert not await db.reachable(within_s=0.5)
        faulty.set_mode("forward")
        assert await _select_one(db) == 1
        lines = _outage_lines(caplog)
        assert len(lines) == 2, lines
        assert lines[0].startswith("storage unavailable (")
        assert lines[1].startswith("storage available again after")
        assert "SELECT" not in lines[0]  # no SQL, no parameters (what people typed)
    finally:
        await db.close()


async def test_a_stopped_database_fails_at_once(proxy: tuple[FaultyProxy, str]) -> None:
    faulty, url = proxy
    db = Database.from_url(url, timeouts=FAST)
    try:
        assert await _select_one(db) == 1
        faulty.set_mode(REFUSE)  # open connections cut, new ones refused
        await _fails_within(db, 1.0)
        await _fails_within(db, 1.0)
    finally:
        await db.close()
    nobody = make_url(url).set(port=free_port()).render_as_string(False)
    db = Database.from_url(nobody, timeouts=FAST)
    try:
        await _fails_within(db, 1.0)
        assert not await db.reachable(within_s=1.0)
    finally:
        await db.close()


async def test_a_statement_held_by_a_lock_is_cancelled_at_the_timeout(pg_url: str) -> None:
    db = Database.from_url(pg_url, timeouts=FAST)
    holder = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with holder.transaction():
            await holder.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE")
            elapsed = await _fails_within(db, 2.5, "SELECT count(*) FROM users")
            assert elapsed >= 0.9  # waited for the lock up to the statement time-out
        await _fails_within(db, 2.5, "SELECT pg_sleep(5)")
        assert await _select_one(db) == 1
    finally:
        await holder.close()
        await db.close()


async def test_a_backend_terminated_mid_transaction_is_an_outage(pg_url: str) -> None:
    db = Database.from_url(pg_url, timeouts=FAST)
    admin = await asyncpg.connect(pg_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        with pytest.raises(StorageUnavailable):
            async with db.transaction() as session:
                pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
                await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
                await asyncio.sleep(0.2)
                await session.execute(text("SELECT 1"))
        assert await _select_one(db) == 1  # the pool recovers by itself
    finally:
        await admin.close()
        await db.close()


async def test_a_bug_is_not_an_outage(db_url: str) -> None:
    db = Database.from_url(db_url, timeouts=FAST)
    try:
        with pytest.raises(IntegrityError):
            async with db.transaction() as session:
                await session.execute(text("INSERT INTO units (id) VALUES (NULL)"))
        assert not db.outage.down
    finally:
        await db.close()


async def test_a_locked_sqlite_file_fails_after_the_busy_timeout(db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("an SQLite lock")
    path = Path(make_url(db_url).database or "")
    db = Database.from_url(db_url, timeouts=FAST)
    writer = sqlite3.connect(path, isolation_level=None)
    try:
        writer.execute("BEGIN EXCLUSIVE")
        await _fails_within(db, 3.0, "UPDATE units SET headcount = headcount")
        writer.execute("ROLLBACK")
        assert await _select_one(db) == 1
    finally:
        writer.close()
        await db.close()


def test_a_missing_table_is_not_an_outage() -> None:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    from bot.storage.faults import is_outage

    missing = OperationalError("SELECT 1", {}, sqlite3.OperationalError("no such table: users"))
    locked = OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked"))
    assert not is_outage(missing)
    assert is_outage(locked)
