"""The sender: outcomes of every attempt, retries, unreachable people, leases and the limiter."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.notify import Rejected, RetryLater, Unreachable
from bot.core.replies import Notice, Text
from bot.scheduler.limits import ChannelLimits, Rate, RetryPolicy
from bot.storage.repositories import outbox as outbox_repo
from tests.scheduler.helpers import RecordingSender, outbox, person


async def notify(bot: BotApp, *chats: str, message: str = "Đề cử đã được duyệt.") -> None:
    await bot.notifier.deliver([Notice("telegram", chat, (Text(message),)) for chat in chats])


async def test_notices_go_through_the_outbox_and_are_sent_once(bot: BotApp) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    [row] = await outbox(bot)
    assert (row.purpose, row.status, row.chat_id) == ("notice", "pending", "10")
    channel = RecordingSender()
    sender = bot.services.reminders.sender({"telegram": channel})
    stats = await sender.drain()
    assert stats.sent == 1 and channel.texts("10") == ["Đề cử đã được duyệt."]
    await sender.drain()
    assert len(channel.sent) == 1
    [row] = await outbox(bot)
    assert (row.status, row.attempts, row.sent_at is not None) == ("sent", 1, True)


async def test_a_429_waits_exactly_retry_after_then_sends(bot: BotApp) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    channel = RecordingSender()
    channel.fail("10", RetryLater("Too Many Requests", retry_after=0.4))
    sender = bot.services.reminders.sender({"telegram": channel})
    started = time.monotonic()
    stats = await sender.drain()
    assert time.monotonic() - started >= 0.4
    assert stats.sent == 1 and len(channel.sent) == 1


async def test_server_errors_back_off_with_a_cap_then_give_up(
    bot: BotApp, clock: FrozenClock
) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    channel = RecordingSender()
    channel.fail("10", *[RetryLater("502 Bad Gateway")] * 3)
    reminders = bot.services.reminders
    delays = []
    for _ in range(3):
        sender = reminders.sender(  # a fresh limiter each time: no per-chat wait
            {"telegram": channel},
            policy=RetryPolicy(base_seconds=10, cap_seconds=25, max_attempts=3),
        )
        before = clock.now()
        await sender.drain()
        [row] = await outbox(bot)
        if row.status != "pending":
            break
        delays.append((row.available_at - before).total_seconds())
        clock.set(row.available_at)
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20  # doubling, with jitter
    assert (row.status, row.attempts, row.reason) == ("failed", 3, "gave up: 502 Bad Gateway")
    assert RetryPolicy(2, 600, 8).backoff(20) <= 600


async def test_blocked_person_is_marked_and_never_retried_until_they_write_again(
    bot: BotApp,
) -> None:
    blocked = await person(bot, "7")
    await person(bot, "8")
    await notify(bot, "7", "8")
    channel = RecordingSender()
    channel.fail("7", Unreachable("blocked"))
    sender = bot.services.reminders.sender({"telegram": channel})
    stats = await sender.drain()
    assert (stats.sent, stats.undeliverable) == (1, 1)
    profile = await bot.services.users.get(blocked)
    assert profile is not None
    rows = {row.chat_id: row for row in await outbox(bot)}
    assert (rows["7"].status, rows["7"].reason) == ("undeliverable", "blocked")

    await notify(bot, "7", message="Tin thứ hai")
    await sender.drain()  # not attempted: already known unreachable
    assert channel.texts("7") == []
    assert [r.status for r in await outbox(bot, chat_id="7")] == ["undeliverable"] * 2

    await bot.services.users.touch(channel="telegram", external_id="7")  # they came back
    await notify(bot, "7", message="Tin thứ ba")
    await sender.drain()
    assert channel.texts("7") == ["Tin thứ ba"]


async def test_rejected_messages_are_recorded_not_retried(bot: BotApp) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    channel = RecordingSender()
    channel.fail("10", Rejected("Bad Request: message is too long"))
    sender = bot.services.reminders.sender({"telegram": channel})
    stats = await sender.drain()
    assert stats.rejected == 1
    [row] = await outbox(bot)
    assert row.status == "rejected" and "too long" in (row.reason or "")
    await sender.drain()
    assert channel.sent == []


async def test_an_unexpected_error_is_retried_later(bot: BotApp) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    channel = RecordingSender()
    channel.fail("10", ConnectionResetError("peer reset"))
    await bot.services.reminders.sender({"telegram": channel}).drain()
    [row] = await outbox(bot)
    assert (row.status, row.reason) == ("pending", "ConnectionResetError")


async def test_a_crashed_senders_rows_are_retried_after_its_lease(
    bot: BotApp, clock: FrozenClock
) -> None:
    for n in range(3):
        await person(bot, str(n))
    await notify(bot, "0", "1", "2")
    now = clock.now()
    async with bot.db.transaction() as session:  # a sender claims, then dies
        held = await outbox_repo.claim(
            session,
            channels=["telegram"],
            now=now,
            lease_until=now + timedelta(seconds=120),
            worker="dead",
            limit=2,
            urgent_only=False,
        )
    assert len(held) == 2
    channel = RecordingSender()
    sender = bot.services.reminders.sender({"telegram": channel})
    await sender.drain()
    assert len(channel.sent) == 1  # the row nobody held
    clock.advance(timedelta(seconds=121))
    await sender.drain()
    assert sorted(chat for chat, _ in channel.sent) == ["0", "1", "2"]
    assert {row.status for row in await outbox(bot)} == {"sent"}


async def test_channels_without_a_sender_here_are_left_for_another_process(bot: BotApp) -> None:
    await person(bot, "10")
    await notify(bot, "10")
    stats = await bot.services.reminders.sender({"zalo_bot": RecordingSender()}).drain()
    assert stats.sent == 0
    [row] = await outbox(bot)
    assert row.status == "pending"


async def test_limiter_paces_overall_and_per_chat() -> None:
    limits = ChannelLimits({"telegram": Rate(overall=20, per_chat=4)})
    started = time.monotonic()
    await asyncio.gather(*(limits.acquire("telegram", str(n)) for n in range(11)))
    assert time.monotonic() - started >= 0.45  # 11 messages at 20/s: 10 gaps of 50 ms
    started = time.monotonic()
    for _ in range(3):
        await limits.acquire("telegram", "same")
    assert time.monotonic() - started >= 0.45  # one chat at 4/s: 2 gaps of 250 ms
    limits.pause("telegram", 0.3)
    started = time.monotonic()
    await limits.acquire("telegram", "other")
    assert time.monotonic() - started >= 0.29


async def test_an_outcome_not_recorded_during_an_outage_is_kept_not_sent_again(
    bot: BotApp, monkeypatch
) -> None:
    """Storage fails while the outcome of a sent message is written: the outcome is kept and
    written at the next drain, so the row is not left claimed (and sent again after its lease)."""
    from bot.core.errors import StorageUnavailable

    await person(bot, "10")
    await notify(bot, "10")
    channel = RecordingSender()
    sender = bot.services.reminders.sender({"telegram": channel})
    original = outbox_repo.finish_many
    failures = [StorageUnavailable("down")]

    async def flaky(*args: object, **kwargs: object) -> None:
        if failures:
            raise failures.pop()
        await original(*args, **kwargs)

    monkeypatch.setattr(outbox_repo, "finish_many", flaky)
    await sender.drain()  # sent, but its outcome could not be written
    assert len(channel.sent) == 1
    await sender.drain()  # storage is back: the kept outcome is written
    [row] = await outbox(bot)
    assert row.status == "sent" and len(channel.sent) == 1
