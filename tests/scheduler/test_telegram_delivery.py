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
from bot.core.replies import Notice, Text
from bot.scheduler.limits import ChannelLimits, Rate, RetryPolicy
from bot.storage.models import OutboxMessage, User
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


async def test_a_long_push_resumes_after_the_parts_already_delivered(
    bot: BotApp, fake: FakeTelegram, clock: FrozenClock
) -> None:
    """A notice too long for one Telegram message goes out in parts; the platform's 1 message
    per second per chat answers 429 to the second part. The retry continues with that part: each
    part arrives once, in order — both when the wait is done inline and when the row is given
    back and claimed again later."""
    paragraphs = [f"Đoạn {n}: " + "Chuyển đổi số bắt đầu từ người dân. " * 60 for n in range(3)]
    body = "\n\n".join(paragraphs)  # 3 × 2,200 characters: one message per paragraph
    for inline_wait in (30.0, 0.0):
        fake.reset()
        fake.configure(rate_limits=True, per_chat_per_second=1)
        chat = (await many_people(bot, 1, first_chat=300_000 + int(inline_wait)))[0]
        telegram = TelegramSender.from_settings(
            get_settings(
                telegram_bot_token=TOKEN, telegram_api_base_url=fake.base_url, _env_file=None
            )
        )
        await bot.notifier.deliver([Notice("telegram", chat, (Text(body),))])
        sender = bot.services.reminders.sender(
            {"telegram": telegram},
            limits=ChannelLimits({"telegram": Rate(overall=30, per_chat=30)}),
            max_inline_wait=inline_wait,
        )
        for _ in range(20):
            await sender.drain()
            if len(fake.sent_to(int(chat))) >= len(paragraphs):
                break
            clock.advance(timedelta(seconds=2))
            await asyncio.sleep(1.0)  # the fake's per-chat window is real time
        await sender.drain()
        await telegram.close()

        statuses = Counter(c["status"] for c in fake.calls if c["method"] == "sendMessage")
        assert statuses[429] >= 1
        texts = [m["text"] for m in fake.sent_to(int(chat))]
        assert [t.split(":")[0] for t in texts] == ["Đoạn 0", "Đoạn 1", "Đoạn 2"]  # once each
        assert "".join("".join(texts).split()) == "".join(body.split())  # all of it, once
        async with bot.db.transaction() as session:
            status = await session.scalar(
                select(OutboxMessage.status).where(OutboxMessage.chat_id == chat)
            )
        assert status == "sent"
