"""The running server during real storage faults (PostgreSQL behind a proxy that stalls or stops):
every webhook answers 503 so the platform redelivers, the web chat answers 503 with a polite
Vietnamese message, /healthz says 503, nobody waits beyond the time-outs, nothing is logged as a
traceback, and once storage is back the redelivered update is answered. A backend terminated in
the middle of a turn is an outage too. The scheduler's jobs log one line per outage, not one per
second."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.scheduler.jobs import SchedulerJobs
from tests.channels.conftest import TG_SECRET, TG_TOKEN, ZB_SECRET, ZB_TOKEN, served_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOa
from tests.helpers.tcp_proxy import FORWARD, REFUSE, STALL, FaultyProxy, faulty_proxy

BOUND_S = 5.0  # statement (1 s) + 1 s client grace, and as long again for the rollback


@pytest.fixture
def proxy(db_url: str) -> Iterator[tuple[FaultyProxy, str]]:
    """A proxy in front of the test PostgreSQL database, and the URL through it."""
    if not db_url.startswith("postgresql"):
        pytest.skip("faults of a PostgreSQL server")
    url = make_url(db_url)
    with faulty_proxy(url.host or "127.0.0.1", url.port or 5432) as running:
        yield running, url.set(host="127.0.0.1", port=running.port).render_as_string(False)


@dataclass
class Rig:
    app: BotApp
    url: str
    proxy: FaultyProxy
    telegram: FakeTelegram
    zalo_bot: FakeZaloBot
    zalo_oa: FakeZaloOa
    session: str = ""

    async def statuses(self, update_id: int) -> dict[str, int]:
        """Post one message on every channel; the status of each answer."""
        telegram = self.telegram.user_says(42, "/start")
        telegram["update_id"] = update_id
        async with httpx.AsyncClient(base_url=self.url, timeout=30) as client:
            web = await client.post(
                "/api/chat/messages",
                json={"text": "/start"},
                headers={"Authorization": f"Bearer {self.session}"},
            )
            health = await client.get("/healthz")
        return {
            "web": web.status_code,
            "healthz": health.status_code,
            "telegram": await self.telegram.post_webhook(telegram),
            "zalo_bot": await self.zalo_bot.post_webhook(self.zalo_bot.user_says("z1", "/start")),
            "zalo_oa": await self.zalo_oa.post_webhook(
                f"{self.url}/webhook/zalo-oa", self.zalo_oa.user_says("oa1", "/start")
            ),
        }


def _settings(db_url: str, tmp_path: Path, base: str, fakes: tuple, **extra: object) -> Settings:
    telegram, zalo_bot, zalo_oa = fakes
    return get_settings(
        _env_file=None,
        database_url=db_url,
        data_dir=tmp_path / "data",
        public_base_url=base,
        telegram_bot_token=TG_TOKEN,
        telegram_api_base_url=telegram.base_url,
        telegram_webhook_url=f"{base}/tg/hook",
        telegram_webhook_secret=TG_SECRET,
        zalo_bot_token=ZB_TOKEN,
        zalo_bot_api_base_url=zalo_bot.base_url,
        zalo_bot_webhook_url=f"{base}/zb/hook",
        zalo_bot_webhook_secret=ZB_SECRET,
        zalo_oa_app_id=zalo_oa.app_id,
        zalo_oa_secret_key=zalo_oa.secret_key,
        zalo_oa_app_secret=zalo_oa.app_secret,
        zalo_oa_refresh_token="rt-0",
        zalo_oa_api_base_url=zalo_oa.url,
        zalo_oa_oauth_base_url=zalo_oa.url,
        **extra,
    )


@pytest.fixture
async def rig(
    proxy: tuple[FaultyProxy, str],
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
) -> AsyncIterator[Rig]:
    faulty, url = proxy
    fakes = (fake_telegram, fake_zalo_bot, fake_zalo_oa)
    timeouts = {
        "db_connect_timeout_seconds": 1.0,
        "db_statement_timeout_seconds": 1.0,
        "db_pool_timeout_seconds": 1.0,
        "health_timeout_seconds": 1.0,
    }
    async with served_bot(
        clock, lambda base: _settings(url, tmp_path, base, fakes, **timeouts)
    ) as (app, _, base):
        rig = Rig(app, base, faulty, *fakes)
        async with httpx.AsyncClient(base_url=base) as client:
            rig.session = (await client.post("/api/chat/sessions")).json()["session"]
        yield rig


@pytest.mark.parametrize("fault", [STALL, REFUSE])
async def test_every_route_answers_503_at_once_while_storage_is_down(
    rig: Rig, fault: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert set((await rig.statuses(5000)).values()) == {200}
    rig.proxy.set_mode(fault)
    started = time.monotonic()
    down = await rig.statuses(5001)
    assert down == dict.fromkeys(down, 503), down
    assert time.monotonic() - started < 5 * BOUND_S
    async with httpx.AsyncClient(base_url=rig.url) as client:
        answer = await client.post(
            "/api/chat/messages",
            json={"text": "xin chào"},
            headers={"Authorization": f"Bearer {rig.session}"},
        )
    assert answer.status_code == 503
    assert "thử lại" in answer.json()["detail"]
    rig.proxy.set_mode(FORWARD)
    before = len(rig.telegram.sent_to(42))
    assert set((await rig.statuses(5001)).values()) == {200}  # the redelivery is answered
    assert len(rig.telegram.sent_to(42)) > before
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    outage = [r.getMessage() for r in caplog.records if r.name == "bot.storage"]
    assert len(outage) == 2 and outage[1].startswith("storage available again"), outage


async def test_a_backend_terminated_mid_turn_answers_503_and_the_redelivery_is_answered(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("faults of a PostgreSQL server")
    fakes = (fake_telegram, fake_zalo_bot, fake_zalo_oa)
    admin = await asyncpg.connect(db_url.replace("postgresql+asyncpg://", "postgresql://"))
    async with served_bot(clock, lambda base: _settings(db_url, tmp_path, base, fakes)) as (
        _,
        _,
        _,
    ):
        assert await fake_telegram.post_webhook(fake_telegram.user_says(42, "/start")) == 200
        answered = len(fake_telegram.sent_to(42))
        update = fake_telegram.user_says(42, "/menu")
        try:
            async with admin.transaction():
                # the person's row, which every turn of theirs updates, is held by someone else
                await admin.execute("SELECT id FROM users FOR UPDATE")
                posted = asyncio.create_task(fake_telegram.post_webhook(update))
                waiting: list[asyncpg.Record] = []
                for _ in range(200):  # the turn now waits for the row inside the database
                    waiting = await admin.fetch(
                        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                        " AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if waiting:
                        break
                    await asyncio.sleep(0.05)
                assert waiting, "the turn never waited for the row"
                for row in waiting:
                    await admin.fetchval("SELECT pg_terminate_backend($1)", row["pid"])
                assert await asyncio.wait_for(posted, BOUND_S) == 503
        finally:
            await admin.close()
        assert len(fake_telegram.sent_to(42)) == answered
        assert await fake_telegram.post_webhook(update) == 200  # Telegram redelivers
        assert len(fake_telegram.sent_to(42)) > answered


async def test_the_jobs_log_one_line_per_outage_not_a_traceback_per_second(
    proxy: tuple[FaultyProxy, str],
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
    caplog: pytest.LogCaptureFixture,
) -> None:
    faulty, url = proxy
    settings = _settings(
        url,
        tmp_path,
        "http://127.0.0.1:9",
        (fake_telegram, fake_zalo_bot, fake_zalo_oa),
        db_connect_timeout_seconds=1.0,
        db_statement_timeout_seconds=1.0,
        sender_interval_seconds=0.2,
        sweep_interval_seconds=0.2,
    )
    app = BotApp.build(settings, clock=clock)
    from bot.scheduler.jobs import channel_senders

    jobs = SchedulerJobs(app, channel_senders(app))
    caplog.set_level(logging.INFO)
    try:
        jobs.start()
        await asyncio.sleep(0.5)
        faulty.set_mode(REFUSE)
        await asyncio.sleep(3.0)
        faulty.set_mode(FORWARD)
        await asyncio.sleep(1.5)
    finally:
        await jobs.stop(grace_seconds=5)
        await app.close()
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
    outage = [r.getMessage() for r in caplog.records if r.name == "bot.storage"]
    assert len(outage) == 2, outage
    assert outage[0].startswith("storage unavailable") and outage[1].startswith("storage available")
    assert len([r for r in caplog.records if r.levelno >= logging.WARNING]) <= 3
