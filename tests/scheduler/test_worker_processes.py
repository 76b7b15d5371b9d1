"""`cdsbot worker` processes against the fake Telegram Bot API over real HTTP on loopback: a sender
killed with SIGKILL mid-broadcast loses nothing, and two senders on one PostgreSQL never send
the same message twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.app import BotApp
from bot.scheduler.outbox import Tally
from bot.storage.models import OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.scheduler.conftest import TOKEN
from tests.scheduler.helpers import many_people, wait_until

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 2000
CONCURRENCY = 16


def start_worker(db_url: str, fake: FakeTelegram, data_dir: Path) -> subprocess.Popen[bytes]:
    """`cdsbot worker --no-sweep` in a process of its own."""
    env = dict(
        os.environ,
        DATABASE_URL=db_url,
        DATA_DIR=str(data_dir),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.base_url,
        TELEGRAM_RATE_PER_SECOND="400",
        SENDER_CONCURRENCY=str(CONCURRENCY),
        SENDER_INTERVAL_SECONDS="0.2",
        OUTBOX_LEASE_SECONDS="4",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "worker", "--no-sweep"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


async def broadcast(bot: BotApp) -> int:
    """2,000 people, one urgent broadcast (urgent: the workers run on the real clock, which may
    be inside the quiet hours)."""
    await many_people(bot, MESSAGES)
    broadcasts = bot.services.reminders.broadcasts
    queued = await broadcasts.send(
        await broadcasts.plan("everyone"), "Thông báo thử nghiệm", urgent=True
    )
    assert queued.queued == MESSAGES
    return queued.id


async def in_flight(bot: BotApp) -> int:
    """Rows claimed by a sender and not yet finished."""
    async with bot.db.transaction() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(OutboxMessage.status == "sending")
            )
            or 0
        )


def stop(worker: subprocess.Popen[bytes]) -> str:
    """SIGTERM, wait, and return what it wrote to stderr."""
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
    try:
        _, err = worker.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        worker.kill()
        _, err = worker.communicate()
    return err.decode(errors="replace")


async def test_a_killed_sender_loses_nothing_and_repeats_at_most_what_was_in_flight(
    bot: BotApp, fake: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    broadcast_id = await broadcast(bot)
    worker = start_worker(db_url, fake, tmp_path)
    try:
        await wait_until(lambda: _count(fake, MESSAGES // 3), 60, "a third of the broadcast")
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        if worker.poll() is None:
            worker.kill()
    delivered_at_kill = len(fake.messages)
    held_at_kill = await in_flight(bot)
    assert 0 < delivered_at_kill < MESSAGES

    restarted = start_worker(db_url, fake, tmp_path)
    try:
        progress = bot.services.reminders.broadcasts.progress_of
        await wait_until(lambda: _done(progress, broadcast_id), 90, "the rest of the broadcast")
    finally:
        errors = stop(restarted)
    per_chat = Counter(message["chat_id"] for message in fake.messages)
    duplicates = sum(count - 1 for count in per_chat.values())
    print(
        f"\ncrash test: {delivered_at_kill} delivered when killed, {held_at_kill} rows in flight,"
        f" {duplicates} sent twice"
    )
    assert len(per_chat) == MESSAGES, errors  # every recipient got the message
    assert duplicates <= held_at_kill  # at most what the killed sender held, unfinished
    assert (await progress(broadcast_id)).sent == MESSAGES


async def test_two_senders_on_one_postgresql_never_send_twice(
    bot: BotApp, fake: FakeTelegram, db_url: str, tmp_path: Path
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite serves one process; several senders need PostgreSQL")
    broadcast_id = await broadcast(bot)
    workers = [start_worker(db_url, fake, tmp_path) for _ in range(2)]
    try:
        progress = bot.services.reminders.broadcasts.progress_of
        await wait_until(lambda: _done(progress, broadcast_id), 90, "the broadcast")
    finally:
        errors = [stop(worker) for worker in workers]
    per_chat = Counter(message["chat_id"] for message in fake.messages)
    assert len(per_chat) == MESSAGES and set(per_chat.values()) == {1}, errors
    async with bot.db.transaction() as session:
        senders = (await session.execute(select(OutboxMessage.claimed_by).distinct())).all()
    assert len({row[0].rsplit(":", 1)[0] for row in senders}) == 2  # both did part of the work


async def _count(fake: FakeTelegram, at_least: int) -> bool:
    return len(fake.messages) >= at_least


async def _done(progress: Callable[[int], Awaitable[Tally]], broadcast_id: int) -> bool:
    return (await progress(broadcast_id)).done
