"""A claimed update is never lost: the real server process (`cdsbot serve`) on PostgreSQL, against
the fake Telegram Bot API over loopback, killed with SIGKILL

- in the middle of a turn (the turn waits on a row lock this test holds): after a restart the
  redelivered update is handled, and the person gets exactly one answer;
- after the turn committed but before its reply went out (the fake holds `sendMessage`): the
  redelivery sends the reply kept with the update, exactly once, without handling it again;

for the webhook (the test redelivers as Telegram does) and for long polling (the update was not
confirmed, so `getUpdates` serves it again)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from tests.channels.conftest import TG_SECRET, TG_TOKEN
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.server import wait_healthy

ROOT = Path(__file__).resolve().parents[2]
CHAT = 42
ANSWER = "Anh/chị là"  # the answer to pressing "Đồng ý" on the consent question


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BotProcess:
    """`cdsbot serve` in a process of its own (webhook or polling mode)."""

    def __init__(self, db_url: str, fake: FakeTelegram, data_dir: Path, *, webhook: bool) -> None:
        self.port = _free_port()
        self.log = data_dir / "serve.log"
        self.env = dict(
            os.environ,
            DATABASE_URL=db_url,
            DATA_DIR=str(data_dir),
            WEB_HOST="127.0.0.1",
            WEB_PORT=str(self.port),
            TELEGRAM_BOT_TOKEN=TG_TOKEN,
            TELEGRAM_API_BASE_URL=fake.base_url,
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{self.port}/tg/hook" if webhook else "",
            TELEGRAM_WEBHOOK_SECRET=TG_SECRET,
            SCHEDULER_ENABLED="false",
            LOG_LEVEL="INFO",
        )
        self.process: subprocess.Popen[bytes] | None = None

    def spawn(self) -> subprocess.Popen[bytes]:
        """The process, its output appended to `log`."""
        with self.log.open("ab") as log:
            return subprocess.Popen(
                [sys.executable, "-c", "from bot.entry import main; main()", "serve"],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    async def start(self) -> None:
        """Start and wait until it answers on /healthz."""
        self.process = self.spawn()
        await wait_healthy(self.process, self.port, self.log)

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("the row lock and the kill are exercised on PostgreSQL")
    return db_url


@asynccontextmanager
async def bot_process(
    pg_url: str, fake: FakeTelegram, tmp_path: Path, *, webhook: bool, answers: str = "auto"
) -> AsyncIterator[BotProcess]:
    """`answers`: TELEGRAM_WEBHOOK_ANSWERS (on PostgreSQL "auto" sends replies by the API)."""
    bot = BotProcess(pg_url, fake, tmp_path, webhook=webhook)
    bot.env["TELEGRAM_WEBHOOK_ANSWERS"] = answers
    try:
        yield bot
    finally:
        bot.stop()


async def _until(condition: Callable[[], Awaitable[bool]], what: str, seconds: float = 30) -> None:
    for _ in range(int(seconds / 0.05)):
        if await condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


def _answers(fake: FakeTelegram) -> int:
    return sum(ANSWER in (message["text"] or "") for message in fake.sent_to(CHAT))


class Delivery:
    """How updates reach the bot: posted to its webhook, or queued for its `getUpdates`."""

    def __init__(self, fake: FakeTelegram, webhook: bool) -> None:
        self.fake = fake
        self.webhook = webhook
        self.posts: list[asyncio.Task[int]] = []

    async def ready(self) -> None:
        """The bot set its webhook (webhook mode) or deleted it and polls."""

        async def done() -> bool:
            with self.fake._lock:
                set_up = bool(self.fake.webhook.get("url"))
            return set_up is self.webhook

        await _until(done, "the bot's start-up calls")

    def send(self, update: dict[str, Any]) -> None:
        """Deliver (webhook: POST in the background, the answer may never come)."""
        if self.webhook:
            self.posts.append(asyncio.create_task(self.fake.post_webhook(update)))

    async def redeliver(self, update: dict[str, Any]) -> None:
        """Webhook: Telegram posts the update again. Polling: it is still queued (unconfirmed)."""
        if self.webhook:
            assert await self.fake.post_webhook(update) == 200
        await _until(lambda: _true(_answers(self.fake) >= 1), "the answer", 60)

    async def forget_posts(self) -> None:
        """The posts to the killed process fail; that is the point."""
        for post in self.posts:
            try:
                await asyncio.wait_for(post, 30)
            except (httpx.HTTPError, TimeoutError):
                pass
        self.posts.clear()


async def _true(value: bool) -> bool:
    return value


async def _start_and_greet(bot: BotProcess, delivery: Delivery, fake: FakeTelegram) -> None:
    await bot.start()
    await delivery.ready()
    greeting = fake.user_says(CHAT, "/start")
    if delivery.webhook:
        assert await fake.post_webhook(greeting) == 200
    await _until(
        lambda: _true(any(m["reply_markup"] for m in fake.sent_to(CHAT))), "the consent question"
    )


async def _waiting_on_a_lock(url: str) -> bool:
    connection = await asyncpg.connect(_plain(url))
    try:
        waiting = await connection.fetchval(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
    finally:
        await connection.close()
    return bool(waiting)


@pytest.mark.parametrize(
    ("webhook", "typed"),
    [(True, False), (True, True), (False, False)],
    ids=["webhook", "webhook-answer", "polling"],
)
async def test_killed_in_the_middle_of_a_turn_the_update_is_answered_once(
    pg_url: str, fake_telegram: FakeTelegram, tmp_path: Path, webhook: bool, typed: bool
) -> None:
    """`typed`: the person types the button's label; the reply, one plain message, goes out as
    the webhook's answer, which the killed process never gave."""
    fake = fake_telegram
    delivery = Delivery(fake, webhook)
    answers = "on" if typed else "auto"
    async with bot_process(pg_url, fake, tmp_path, webhook=webhook, answers=answers) as bot:
        await _start_and_greet(bot, delivery, fake)
        locker = await asyncpg.connect(_plain(pg_url))
        try:
            transaction = locker.transaction()
            await transaction.start()
            held = await locker.fetchval(
                "SELECT count(*) FROM (SELECT 1 FROM conversations"
                " WHERE channel = 'telegram' AND user_id = $1 FOR UPDATE) AS locked",
                str(CHAT),
            )
            assert held == 1  # the conversation the turn must save
            press = fake.user_says(CHAT, "Đồng ý") if typed else fake.press_button(CHAT, "Đồng ý")
            delivery.send(press)
            await _until(lambda: _waiting_on_a_lock(pg_url), "the turn to wait on the lock")
            bot.kill()
            await delivery.forget_posts()
            assert _answers(fake) == 0
            await bot.start()
            await delivery.ready()
        finally:
            await locker.close()  # releases the lock (the killed turn's backend rolls back)
        await delivery.redeliver(press)
        await asyncio.sleep(1.0)  # anything sent twice would arrive by now
        assert _answers(fake) == 1, bot.log.read_text()
        if typed:
            answered = [c for c in fake.calls if c["method"] == "sendMessage"]
            assert answered[-1]["via"] == "webhook"


@pytest.mark.parametrize("webhook", [True, False], ids=["webhook", "polling"])
async def test_killed_before_the_reply_went_out_the_kept_reply_is_sent_once(
    pg_url: str, fake_telegram: FakeTelegram, tmp_path: Path, webhook: bool
) -> None:
    fake = fake_telegram
    delivery = Delivery(fake, webhook)
    async with bot_process(pg_url, fake, tmp_path, webhook=webhook) as bot:
        await _start_and_greet(bot, delivery, fake)
        fake.configure(stall_sends=True)
        press = fake.press_button(CHAT, "Đồng ý")
        delivery.send(press)
        await _until(lambda: _true(fake.stalled > 0), "the reply to be on its way")
        bot.kill()  # the turn has committed: its reply was being sent
        await delivery.forget_posts()
        fake.configure(stall_sends=False)
        assert _answers(fake) == 0
        consented = await _consented_at(pg_url)
        assert consented is not None  # the turn's effect is there
        await bot.start()
        await delivery.ready()
        await delivery.redeliver(press)
        await asyncio.sleep(1.0)
        assert _answers(fake) == 1, bot.log.read_text()
        assert await _consented_at(pg_url) == consented  # not handled a second time
        assert "stored replies sent again" in bot.log.read_text()


async def _consented_at(url: str) -> object:
    connection = await asyncpg.connect(_plain(url))
    try:
        return await connection.fetchval(
            "SELECT consent_at FROM users WHERE channel = 'telegram' AND external_id = $1",
            str(CHAT),
        )
    finally:
        await connection.close()
