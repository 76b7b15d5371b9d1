"""The shared send pace's tables are unlogged on PostgreSQL (migrations 0014_perf_indexes and
0016_send_token_waits): every message a process sends writes each of them twice, and a logged
commit waited for its WAL flush with the channel's row lock held, so replies queued behind one
another's fsyncs — and a token's reservation flushed between its slot and its send, time that
the token is held and the broadcast's rate loses."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.app import BotApp


@pytest.mark.parametrize("table", ["send_pace", "send_token"])
async def test_the_send_pace_tables_write_no_wal(bot: BotApp, table: str) -> None:
    if bot.db.engine.dialect.name != "postgresql":
        return  # SQLite paces in memory (one process)
    async with bot.db.transaction() as session:
        persistence = (
            await session.execute(
                text("SELECT relpersistence FROM pg_class WHERE relname = :table"),
                {"table": table},
            )
        ).scalar_one()
    assert persistence in ("u", b"u")  # a "char" column: asyncpg returns bytes
