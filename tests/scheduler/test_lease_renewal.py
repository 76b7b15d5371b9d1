"""A sender keeps the lease of every row it holds until the row's outcome is written: a slow
moment after the send (here the outcome's write waits, as it does for a database connection on
a loaded machine) must not let another sender take the row over and deliver it a second time."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.storage.models import OutboxMessage
from tests.helpers.chat import Chat
from tests.quiz.helpers import register_staff
from tests.scheduler.helpers import RecordingSender, local, wait_until
from tests.scheduler.test_reminders_chat import add_deadline

LEASE_S = 1.5


async def _lease_of(chat: Chat) -> object:
    async with chat.bot.db.transaction() as session:
        return await session.scalar(
            select(OutboxMessage.claimed_until).where(OutboxMessage.chat_id == chat.user_id)
        )


async def test_a_sent_row_whose_outcome_waits_is_not_taken_over(
    chat: Chat, clock: FrozenClock
) -> None:
    bot = chat.bot
    await register_staff(chat, "SYT")
    await add_deadline(bot, "q2", "Nộp báo cáo quý II", "30/06/2026 17:00")
    clock.set(local("29/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    first_channel, second_channel = RecordingSender(), RecordingSender()
    first = bot.services.reminders.sender({chat.channel: first_channel}, lease_seconds=LEASE_S)
    second = bot.services.reminders.sender({chat.channel: second_channel}, lease_seconds=LEASE_S)

    outcome_may_go = asyncio.Event()
    record = first._record

    async def slow_record() -> None:  # the outcome's write waits (e.g. for a connection)
        await outcome_may_go.wait()
        await record()

    first._record = slow_record  # type: ignore[method-assign]
    drain = asyncio.create_task(first.drain())
    try:

        async def sent() -> bool:
            return bool(first_channel.texts(chat.user_id))

        await wait_until(sent, 10, "the first sender's push")
        claimed = await _lease_of(chat)
        async with asyncio.timeout(10):  # the sender renews the lease of the row it holds
            while await _lease_of(chat) == claimed:
                clock.advance(timedelta(seconds=LEASE_S / 3))
                await asyncio.sleep(LEASE_S / 6)
        clock.advance(timedelta(seconds=LEASE_S * 0.9))  # past the first lease, not the renewed
        await second.drain()
    finally:
        outcome_may_go.set()
        await drain
    assert len(first_channel.texts(chat.user_id)) == 1
    assert second_channel.texts(chat.user_id) == []
    async with bot.db.transaction() as session:
        status = await session.scalar(
            select(OutboxMessage.status).where(OutboxMessage.chat_id == chat.user_id)
        )
    assert status == "sent"
