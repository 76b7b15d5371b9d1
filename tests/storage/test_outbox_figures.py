"""The outbox figures behind /metrics: web-chat messages waiting for their page are counted
apart and never make the outbox look stalled (the "outbox age" alert fired for anyone who had
not opened the web chat since a reminder was queued)."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.replies import Notice, Text
from bot.storage.repositories import operations
from tests.scheduler.helpers import person


async def test_web_messages_waiting_for_their_page_are_unread_not_a_stalled_outbox(
    bot: BotApp, clock: FrozenClock
) -> None:
    await person(bot, "10")  # a Telegram user
    await person(bot, "w-1", channel="web")
    await bot.deliver_notices([Notice("web", "w-1", (Text("Nhắc hạn trên trang web"),))])
    clock.advance(timedelta(hours=2))  # the person has not opened the page since
    figures = await _figures(bot, clock)
    assert (figures.waiting, figures.scheduled, figures.sending, figures.unread) == (0, 0, 0, 1)
    assert figures.oldest_waiting is None

    await bot.deliver_notices([Notice("telegram", "10", (Text("Nhắc hạn trên Telegram"),))])
    clock.advance(timedelta(minutes=3))
    figures = await _figures(bot, clock)
    assert (figures.waiting, figures.unread) == (1, 1)
    assert figures.oldest_waiting is not None
    assert clock.now() - figures.oldest_waiting == timedelta(minutes=3)


async def _figures(bot: BotApp, clock: FrozenClock) -> operations.OutboxFigures:
    async with bot.db.transaction() as session:
        return await operations.outbox_figures(session, now=clock.now())
