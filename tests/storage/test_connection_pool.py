"""Pooled PostgreSQL connections that died while idle are replaced before anyone uses them."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest
from sqlalchemy import text

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


async def test_connection_closed_by_the_server_is_replaced_without_a_ping(pg_url: str) -> None:
    """A busy connection is not pinged, but one whose socket the server closed is known closed
    without a round trip and replaced at checkout: the next transaction does not fail."""
    db = Database.from_url(pg_url, pool_size=1, ping_after_idle_s=3600)
    try:
        first = await _backend_pid(db)
        await _kill(pg_url, first)
        await asyncio.sleep(0.5)  # the server's goodbye reaches the idle socket
        assert await _backend_pid(db) != first
    finally:
        await db.close()
