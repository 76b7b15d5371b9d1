"""Scale-out acceptance: three `cdsbot serve` processes on one PostgreSQL, each with its sender
and scheduler, against the fake Telegram Bot API enforcing an overall and a per-chat rate.

2,000 webhook updates (1,000 people, two commands each, the second sent to another process
once the first was taken) and a 2,000-message broadcast at the same time; one process
is killed with SIGKILL mid-broadcast and the updates it was given are delivered again to the
others, as Telegram does. Then: every update answered, in order per person, exactly once (a
person whose update was in flight in the killed process may see an answer twice, never none);
every broadcast message delivered (twice only if it was in flight in the killed process); the
fake never saw more than the configured rates in any one-second window and answered no 429;
the killed process's rows were sent by the others within the outbox lease."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import BotApp
from bot.storage.models import OutboxMessage
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.server import wait_healthy
from tests.scheduler.conftest import TOKEN
from tests.scheduler.helpers import many_people, wait_until

ROOT = Path(__file__).resolve().parents[2]
NEWS = "Thông báo thử nghiệm"
SECRET = "scale-out-secret"
OVERALL, PER_CHAT = 200, 1  # the fake's limits, and the bot's configured rates
LEASE = 15.0
PEOPLE = 2000  # broadcast audience; the first TALKERS of them also write to the bot
TALKERS = 1000
COMMANDS = ("/menu", "/trogiup")  # two updates per talker, in this order
FIRST_CHAT = 100_000


class RemoteFake(FakeTelegram):
    """The fake Bot API in a process of its own (so that this test's load does not slow it
    down); this object builds the updates and reads what the fake accepted over HTTP."""

    def __init__(self, data_dir: Path) -> None:
        super().__init__(TOKEN)
        self.port = _free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.telegram_api", "--port", str(self.port)]
            + ["--token", TOKEN, "--rate-limits", "--overall-per-second", str(OVERALL)]
            + ["--per-chat-per-second", str(PER_CHAT)],
            cwd=ROOT,
            stdout=(data_dir / "fake.log").open("ab"),
            stderr=subprocess.STDOUT,
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def refresh(self, client: httpx.AsyncClient) -> None:
        """Read every accepted message and every call from the fake."""
        messages = (await client.get(f"{self.url}/_test/messages")).json()
        calls = (await client.get(f"{self.url}/_test/calls")).json()
        with self._lock:
            self.messages, self.calls = messages, calls

    def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or m.get("caption") or "" for m in self.sent_to(chat_id)]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    """One `cdsbot serve` process with its webhook, sender and scheduler."""

    def __init__(self, db_url: str, fake: FakeTelegram, data_dir: Path, index: int) -> None:
        self.port = _free_port()
        self.log = data_dir / f"serve-{index}.log"
        env = dict(
            os.environ,
            DATABASE_URL=db_url,
            DATA_DIR=str(data_dir),
            WEB_HOST="127.0.0.1",
            WEB_PORT=str(self.port),
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_API_BASE_URL=f"{fake.url}/bot",
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{self.port}/tg/hook",
            TELEGRAM_WEBHOOK_SECRET=SECRET,
            TELEGRAM_RATE_PER_SECOND=str(OVERALL),
            TELEGRAM_RATE_PER_CHAT=str(PER_CHAT),
            SCHEDULER_ENABLED="true",
            SENDER_INTERVAL_SECONDS="0.2",
            OUTBOX_LEASE_SECONDS=str(LEASE),
            LOG_LEVEL="WARNING",
        )
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-c", "from bot.entry import main; main()", "serve"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    @property
    def hook(self) -> str:
        return f"http://127.0.0.1:{self.port}/tg/hook"

    async def ready(self, client: httpx.AsyncClient) -> None:
        await wait_healthy(self.process, self.port, self.log, seconds=60.0)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


class Platform:
    """Telegram's side of the webhook: posts each update to a live process, again to another
    one when the process it chose died before answering."""

    def __init__(self, servers: list[Server], client: httpx.AsyncClient, api: str) -> None:
        self.servers = servers
        self.client = client
        self.api = api  # the fake Bot API, which runs a method a webhook answered with
        self.dead: set[int] = set()
        self.redelivered: set[int] = set()  # chat ids with an update delivered twice

    async def deliver(self, update: dict[str, Any], choice: int) -> None:
        body = json.dumps(update)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        for attempt in range(20):
            live = [n for n in range(len(self.servers)) if n not in self.dead]
            server = self.servers[live[(choice + attempt) % len(live)]]
            try:
                response = await self.client.post(server.hook, content=body, headers=headers)
            except httpx.TransportError:
                self.redelivered.add(update["message"]["chat"]["id"])
                await asyncio.sleep(0.2)
                continue
            if response.status_code == 200:
                await self._run_answer(response)
                return
            await asyncio.sleep(0.2)  # 5xx: Telegram tries again later
        raise AssertionError(f"update {update['update_id']} never accepted")

    async def _run_answer(self, response: httpx.Response) -> None:
        """A webhook may answer with a Bot API method (`{"method": "sendMessage", …}`): Telegram
        runs it, so this platform calls the fake's API with it (its result goes nowhere)."""
        if not response.content:
            return
        body = response.json()
        method = body.pop("method", None) if isinstance(body, dict) else None
        if method:
            await self.client.post(f"{self.api}/bot{TOKEN}/{method}", json=body)


async def _talk(platform: Platform, fake: FakeTelegram, chat: int, gate: asyncio.Semaphore) -> None:
    """One person sends the commands in order, each to another process; the next one once the
    webhook took the previous one (the pace of a person who reads the answer)."""
    async with gate:
        for n, command in enumerate(COMMANDS):
            await platform.deliver(fake.user_says(chat, command), chat + n)


async def _probe(platform: Platform, fake: RemoteFake, chat: int) -> list[list[str]]:
    """Each command's answer, in order, for a person who sends them one by one."""
    answers: list[list[str]] = []
    for n, command in enumerate(COMMANDS):
        before = len(fake.texts(chat))
        await platform.deliver(fake.user_says(chat, command), n)
        await wait_until(_more(fake, platform.client, chat, before), 30, command)
        await asyncio.sleep(1.5)  # every part of it
        await fake.refresh(platform.client)
        answers.append(fake.texts(chat)[before:])
    return answers


def _more(fake: RemoteFake, client: httpx.AsyncClient, chat: int, before: int) -> Any:
    async def check() -> bool:
        await fake.refresh(client)
        return len(fake.texts(chat)) > before

    return check


@pytest.fixture
def pg_url(db_url: str) -> str:
    if not db_url.startswith("postgresql"):
        pytest.skip("several processes share one database only on PostgreSQL (SQLite: one)")
    return db_url


async def test_three_processes_keep_one_rate_order_and_lose_nothing_when_one_is_killed(
    bot: BotApp, pg_url: str, tmp_path: Path
) -> None:
    fake = RemoteFake(tmp_path)
    chats = [int(c) for c in await many_people(bot, PEOPLE, first_chat=FIRST_CHAT)]
    probe = FIRST_CHAT + PEOPLE  # not in the broadcast
    await many_people(bot, 1, first_chat=probe)
    try:
        servers = [Server(pg_url, fake, tmp_path, n) for n in range(3)]
        try:
            async with httpx.AsyncClient(timeout=60) as client:
                for _ in range(100):
                    try:
                        await fake.refresh(client)
                        break
                    except httpx.TransportError:
                        await asyncio.sleep(0.1)
                for server in servers:
                    await server.ready(client)
                platform = Platform(servers, client, fake.url)
                answers = await _probe(platform, fake, probe)
                assert all(answers), answers

                broadcasts = bot.services.reminders.broadcasts
                plan = await broadcasts.plan("everyone")
                queued = await broadcasts.send(plan, NEWS, urgent=True)
                assert queued.queued == PEOPLE + 1
                started = time.monotonic()
                gate = asyncio.Semaphore(64)
                talks = asyncio.gather(
                    *(_talk(platform, fake, chat, gate) for chat in chats[:TALKERS])
                )
                try:
                    await wait_until(_broadcast_count(fake, client, PEOPLE // 3), 240, "a third")
                except AssertionError:
                    talks.cancel()
                    raise
                victim = servers[0]
                platform.dead.add(0)
                victim.process.send_signal(signal.SIGKILL)
                victim.process.wait(10)
                killed_at = time.time()
                held = await _held_by(bot, victim.process.pid)
                await talks
                progress = broadcasts.progress_of
                await wait_until(_done(progress, queued.id), 120, "the rest of the broadcast")
                elapsed = time.monotonic() - started
                await asyncio.sleep(1.5)  # the last replies
                await fake.refresh(client)
        finally:
            for server in servers:
                server.stop()
        logs = "\n".join(s.log.read_text()[-3000:] for s in servers)

        # rates: never above the configured ones, and the platform never had to refuse
        refused = [c for c in fake.calls if c["status"] == 429]
        print(f"429 answers: {len(refused)} of {len(fake.calls)} calls")
        assert not refused, (refused[:5], logs)
        assert fake.busiest_second() <= OVERALL
        assert fake.busiest_chat_second() <= PER_CHAT

        # the broadcast: everyone got it; twice only where the killed process had it in flight
        broadcast = [m for m in fake.messages if NEWS in (m["text"] or "")]
        per_chat = Counter(m["chat_id"] for m in broadcast)
        assert set(chats) <= set(per_chat)
        twice = sum(n - 1 for n in per_chat.values())
        assert twice <= len(held)  # at most what the killed sender held
        extra = {chat for chat, n in per_chat.items() if n > 1} - held
        assert not extra, [
            (
                chat,
                [m["at"] - killed_at for m in fake.sent_to(chat)],
                [
                    (c["at"] - killed_at, c["status"])
                    for c in fake.calls
                    if str(c["chat"]) == str(chat)
                ],
            )
            for chat in extra
        ] + [
            line
            for server in servers
            for line in server.log.read_text().splitlines()
            if "retried in" in line
        ]

        # the killed process's rows: taken over by the others once the lease ran out
        retaken = [m["at"] for m in broadcast if m["chat_id"] in held and m["at"] > killed_at]
        assert held and retaken, "the killed process held no row: kill it earlier"
        assert min(retaken) - killed_at <= LEASE + 5.0  # the lease, then a claim and a slot

        # the updates: answered, in order, once (a redelivered one may be answered twice)
        for chat in chats[:TALKERS]:
            texts = [t for t in fake.texts(chat) if NEWS not in t]
            expected = [text for answer in answers for text in answer]
            if chat in platform.redelivered:
                assert _in_order(texts, answers), (chat, texts)
            else:
                assert texts == expected, (chat, texts)
        print(
            f"\nscale-out: {elapsed:.1f} s for {2 * TALKERS} updates and {PEOPLE} pushes,"
            f" busiest second {fake.busiest_second()} (limit {OVERALL}), {twice} pushes twice,"
            f" {len(platform.redelivered)} people with a redelivered update"
        )
    finally:
        fake.stop()


def _in_order(texts: list[str], answers: list[list[str]]) -> bool:
    """Each command's answer appears, the first one's before the last one's."""
    positions = []
    for answer in answers:
        found = [n for n, text in enumerate(texts) if text == answer[0]]
        if not found:
            return False
        positions.append(found[0])
    return positions == sorted(positions)


def _broadcast_count(fake: RemoteFake, client: httpx.AsyncClient, at_least: int) -> Any:
    async def check() -> bool:
        await fake.refresh(client)
        return sum(NEWS in (m["text"] or "") for m in fake.messages) >= at_least

    return check


def _done(progress: Any, broadcast_id: int) -> Any:
    async def check() -> bool:
        return bool((await progress(broadcast_id)).done)

    return check


async def _held_by(bot: BotApp, pid: int) -> set[int]:
    """Chats whose outbox row the process `pid` holds (claimed, unfinished): its worker name
    is host:pid:instance."""
    async with bot.db.transaction() as session:
        rows = (
            await session.execute(
                select(OutboxMessage.chat_id, OutboxMessage.claimed_by).where(
                    OutboxMessage.status == "sending"
                )
            )
        ).all()
    return {int(row.chat_id) for row in rows if f":{pid}:" in (row.claimed_by or "")}
