"""The sender with the real Telegram sender against the fake Bot API enforcing its limits: 429s
are waited out, 502s retried, blocked people marked — and nothing is lost."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import func, select

from bot.app import BotApp
from bot.channels.telegram import TelegramSender
from bot.config import get_settings
from bot.core.clock import FrozenClock
from bot.scheduler.limits import ChannelLimits, Rate, RetryPolicy
from bot.storage.models import User
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.conftest import TOKEN
from tests.scheduler.helpers import many_people


async def test_limits_errors_and_blocked_people_over_real_http(
    bot: BotApp, fake: FakeTelegram, clock: FrozenClock
) -> None:
    chats = await many_people(bot, 40)
    blocked = {int(chat) for chat in chats[::10]}
    # The platform allows 10/s while the sender is told 20/s: 429s are certain.
    fake.configure(
        rate_limits=True, overall_per_second=10, blocked_chats=blocked, failure_rate=0.1, seed=7
    )
    telegram = TelegramSender.from_settings(
        get_settings(telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url, _env_file=None)
    )
    reminders = bot.services.reminders
    broadcasts = reminders.broadcasts
    queued = await broadcasts.send(await broadcasts.plan("everyone"), "Thông báo", urgent=True)
    sender = reminders.sender(
        {"telegram": telegram},
        concurrency=4,
        limits=ChannelLimits({"telegram": Rate(overall=20, per_chat=1)}),
        policy=RetryPolicy(base_seconds=0.2, cap_seconds=1, max_attempts=10),
    )
    for _ in range(40):
        await sender.drain()
        if (await broadcasts.progress_of(queued.id)).done:
            break
        clock.advance(timedelta(seconds=1))  # retries wait for their backoff on our clock
        await asyncio.sleep(0.1)
    await telegram.close()

    statuses = Counter(call["status"] for call in fake.calls if call["method"] == "sendMessage")
    assert statuses[429] > 0 and statuses[502] > 0 and statuses[403] == len(blocked)
    delivered = Counter(message["chat_id"] for message in fake.messages)
    assert set(delivered) == {int(chat) for chat in chats} - blocked  # nothing lost
    assert set(delivered.values()) == {1}
    final = await broadcasts.progress_of(queued.id)
    assert (final.sent, final.failed) == (len(chats) - len(blocked), {"blocked": len(blocked)})
    async with bot.db.transaction() as session:
        marked = await session.scalar(
            select(func.count()).select_from(User).where(User.unreachable_reason == "blocked")
        )
    assert marked == len(blocked)
