"""SQLite runs in WAL mode: migrated databases are left in it, and a connection to a database
that is not yet in it switches it even while another connection holds a write transaction
(SQLite refuses that switch at once, without waiting, and the connection used to fail with
"database is locked" — how two processes' first turns on a fresh file could fail)."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

from sqlalchemy import text

from bot.storage.db import Database
from bot.storage.migrate import upgrade


def _journal_mode(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA journal_mode").fetchone()[0]).lower()
    finally:
        connection.close()


def test_a_migrated_database_is_left_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    upgrade(f"sqlite+aiosqlite:///{path}")
    assert _journal_mode(path) == "wal"


async def test_a_first_connection_waits_for_another_writer_to_switch_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    setup = sqlite3.connect(path)
    setup.execute("CREATE TABLE t (x INTEGER)")
    setup.commit()
    setup.close()
    assert _journal_mode(path) == "delete"

    writer = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO t VALUES (1)")
    release = threading.Timer(0.3, lambda: writer.execute("COMMIT"))
    release.start()

    db = Database.from_url(f"sqlite+aiosqlite:///{path}")
    try:
        async with asyncio.timeout(10):
            async with db.connection() as connection:
                count = await connection.scalar(text("SELECT count(*) FROM t"))
    finally:
        await db.close()
        release.join()
        writer.close()
    assert count == 1  # it waited for the other transaction's commit
    assert _journal_mode(path) == "wal"
