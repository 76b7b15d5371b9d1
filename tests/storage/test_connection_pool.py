"""Pooled PostgreSQL connections that died while idle are replaced before anyone uses them."""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from bot.storage.db import Database


async def _backend_pid(db: Database) -> int:
    async with db.transaction() as session:
        return int((await session.execute(text("SELECT pg_backend_pid()"))).scalar_one())


async def _kill(url: str, pid: int) -> None:
    connection = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        assert await connection.fetchval("SELECT pg_terminate_backend($1)", pid)
    finally:
        await connection.close()


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server connection to lose")
    return db_url


async def test_idle_connection_killed_by_the_server_is_replaced(pg_url: str) -> None:
    db = Database.from_url(pg_url, pool_size=1, ping_after_idle_s=0)
    try:
        first = await _backend_pid(db)
        await _kill(pg_url, first)
        assert await _backend_pid(db) != first  # pinged, found dead, replaced: no error
    finally:
        await db.close()


async def test_busy_connection_is_not_pinged_and_the_pool_recovers(pg_url: str) -> None:
    """Without the idle check a dead connection fails one transaction; the next one works."""
    db = Database.from_url(pg_url, pool_size=1, ping_after_idle_s=3600)
    try:
        first = await _backend_pid(db)
        await _kill(pg_url, first)
        with pytest.raises(DBAPIError):
            await _backend_pid(db)
        assert await _backend_pid(db) != first
    finally:
        await db.close()
