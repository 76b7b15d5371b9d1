"""Web-chat sessions are resolved on every request of the page: reading them must not wait for
the database's writer. Writing each session's last use on every request made the web chat of a
default installation (SQLite) slow with a few clients: that write met every turn holding
SQLite's single writer in SQLite's busy handler (~190 ms a request, up to 4 s, 18 requests/s
with 16 clients)."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.services.web_sessions import TOUCHED_EVERY
from bot.storage.models import WebSession


async def _last_used(bot: BotApp) -> object:
    async with bot.db.transaction() as session:
        return (await session.scalars(select(WebSession.last_used_at))).one()


async def test_a_session_resolves_while_a_turn_holds_the_writer(bot: BotApp) -> None:
    sessions = bot.services.web_sessions
    token = await sessions.create("192.0.2.1")
    held, release = asyncio.Event(), asyncio.Event()

    async def long_turn() -> None:  # e.g. another person's message being handled
        async with bot.db.turn():
            held.set()
            await release.wait()

    turn = asyncio.create_task(long_turn())
    await held.wait()
    try:
        found = await asyncio.wait_for(sessions.resolve(token), 1.0)
    finally:
        release.set()
        await turn
    assert found is not None


async def test_a_sessions_last_use_is_written_at_most_hourly_and_it_still_expires(
    bot: BotApp, clock: FrozenClock
) -> None:
    sessions = bot.services.web_sessions
    token = await sessions.create("192.0.2.2")
    opened = await _last_used(bot)
    clock.advance(TOUCHED_EVERY - timedelta(minutes=1))
    assert await sessions.resolve(token) is not None
    assert await _last_used(bot) == opened  # a read only
    clock.advance(timedelta(minutes=2))
    assert await sessions.resolve(token) is not None
    assert await _last_used(bot) == clock.now()  # written again
    clock.advance(timedelta(days=bot.settings.web_session_ttl_days) - TOUCHED_EVERY / 2)
    assert await sessions.resolve(token) is not None  # used within the time-to-live
    clock.advance(timedelta(days=bot.settings.web_session_ttl_days) + timedelta(minutes=1))
    assert await sessions.resolve(token) is None
