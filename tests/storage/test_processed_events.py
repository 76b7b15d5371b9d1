"""Processed-update ids are kept long enough to catch redeliveries, then forgotten."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.events import IncomingEvent


async def test_old_update_ids_are_forgotten(bot: BotApp, clock: FrozenClock) -> None:
    users = bot.services.users
    event = IncomingEvent.from_text("telegram", "5", "/menu", dedup_key="tg:1")
    assert (await bot.engine.handle(event)).replies
    assert not (await bot.engine.handle(event)).replies  # a redelivery is ignored
    assert await users.forget_processed_events(older_than=timedelta(days=7)) == 0
    clock.advance(timedelta(days=8))
    assert await users.forget_processed_events(older_than=timedelta(days=7)) == 1
