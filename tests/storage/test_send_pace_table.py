"""The shared send pace's table is unlogged on PostgreSQL (migration 0014_perf_indexes): every
message a process sends writes it twice, and a logged commit waited for its WAL flush with the
channel's row lock held, so replies queued behind one another's fsyncs."""

from __future__ import annotations

from sqlalchemy import text

from bot.app import BotApp


async def test_the_send_pace_table_writes_no_wal(bot: BotApp) -> None:
    if bot.db.engine.dialect.name != "postgresql":
        return  # SQLite paces in memory (one process)
    async with bot.db.transaction() as session:
        persistence = (
            await session.execute(
                text("SELECT relpersistence FROM pg_class WHERE relname = 'send_pace'")
            )
        ).scalar_one()
    assert persistence in ("u", b"u")  # a "char" column: asyncpg returns bytes
