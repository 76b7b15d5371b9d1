"""Fixtures for channel tests: fake platform servers on loopback, reset between tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI

from bot.app import BotApp
from bot.channels.zalo_oa import ZaloOaChannel
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.server import create_app
from tests.channels.platform_chat import NumberedChat, OaChat, TelegramChat
from tests.fakes.serve import bound_socket, serve_here
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOa
from tests.helpers.demo_units import load_demo_units

TG_TOKEN = "123456:TEST-token"


@pytest.fixture(scope="session")
def _telegram_server() -> Iterator[FakeTelegram]:
    fake = FakeTelegram(TG_TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def fake_telegram(_telegram_server: FakeTelegram) -> Iterator[FakeTelegram]:
    """The fake Telegram Bot API, emptied and with default options for each test."""
    _telegram_server.reset()
    _telegram_server.configure(
        rate_limits=False, blocked_chats=[], failure_rate=0.0, seed=None, stall_sends=False
    )
    yield _telegram_server


TG_SECRET = "tg-webhook-secret_42"


@pytest.fixture
def chat_rate() -> float:
    """Messages per second per chat the bot keeps in the rigs: fast, so that conversations run
    quickly; tests of pacing parametrize it with the real rate (1/s)."""
    return 1000.0


@dataclass
class TelegramRig:
    """Our server in webhook mode against the fake Telegram, with one private chat."""

    app: BotApp
    url: str
    fake: FakeTelegram
    chat: TelegramChat


@pytest.fixture
def webhook_answers() -> str:
    """TELEGRAM_WEBHOOK_ANSWERS of the Telegram rig (a test may parametrize it)."""
    return "auto"


@pytest.fixture
async def telegram_rig(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    chat_rate: float,
    webhook_answers: str,
) -> AsyncIterator[TelegramRig]:
    """The bot served on loopback in Telegram webhook mode, demo units loaded."""

    def settings(base: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            telegram_bot_token=TG_TOKEN,
            telegram_api_base_url=fake_telegram.base_url,
            telegram_webhook_url=f"{base}/tg/hook",
            telegram_webhook_secret=TG_SECRET,
            telegram_webhook_answers=webhook_answers,
            telegram_rate_per_chat=chat_rate,
        )

    async with served_bot(clock, settings) as (app, _, url):
        yield TelegramRig(
            app, url, fake_telegram, TelegramChat(fake_telegram, 42, fake_telegram.post_webhook)
        )


@asynccontextmanager
async def served_bot(
    clock: FrozenClock, settings_for: Callable[[str], Settings]
) -> AsyncIterator[tuple[BotApp, FastAPI, str]]:
    """Our app (settings may name its own address), served on loopback from this loop."""
    sock = bound_socket()
    settings = settings_for(f"http://127.0.0.1:{sock.getsockname()[1]}")
    app = await built_app(settings, clock)
    api = create_app(settings, bot=app)
    try:
        async with serve_here(api, sock) as url:
            yield app, api, url
    finally:
        await app.close()


async def built_app(settings: Settings, clock: FrozenClock) -> BotApp:
    """A wired bot with the demo units."""
    app = BotApp.build(settings, clock=clock)
    await load_demo_units(app.db)
    return app


ZB_TOKEN = "2468:zalo-bot-secret"
ZB_SECRET = "zalo-bot-webhook-secret"


@pytest.fixture(scope="session")
def _zalo_bot_server() -> Iterator[FakeZaloBot]:
    fake = FakeZaloBot(ZB_TOKEN)
    with fake.running():
        yield fake


@pytest.fixture
def fake_zalo_bot(_zalo_bot_server: FakeZaloBot) -> FakeZaloBot:
    """The fake Zalo Bot Platform, emptied for each test."""
    _zalo_bot_server.reset()
    _zalo_bot_server.blocked_chats = set()
    _zalo_bot_server.per_chat_per_second = None
    return _zalo_bot_server


@dataclass
class ZaloBotRig:
    """Our server in Zalo Bot webhook mode, with one private chat answered by numbers."""

    app: BotApp
    url: str
    fake: FakeZaloBot
    chat: NumberedChat


@pytest.fixture
async def zalo_bot_rig(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_zalo_bot: FakeZaloBot, chat_rate: float
) -> AsyncIterator[ZaloBotRig]:
    """The bot served on loopback in Zalo Bot webhook mode, demo units loaded."""

    def settings(base: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            zalo_bot_token=ZB_TOKEN,
            zalo_bot_api_base_url=fake_zalo_bot.base_url,
            zalo_bot_webhook_url=f"{base}/zb/hook",
            zalo_bot_webhook_secret=ZB_SECRET,
            public_base_url=base,
            zalo_rate_per_chat=chat_rate,
        )

    async def send(text: str) -> list[str]:
        before = len(fake_zalo_bot.messages)
        status = await fake_zalo_bot.post_webhook(fake_zalo_bot.user_says("z1", text))
        assert status == 200, f"webhook answered {status}"
        return [m.get("text") or m.get("caption") or "" for m in fake_zalo_bot.messages[before:]]

    async with served_bot(clock, settings) as (app, _, url):
        yield ZaloBotRig(app, url, fake_zalo_bot, NumberedChat(send))


@pytest.fixture(scope="session")
def _zalo_oa_server() -> Iterator[FakeZaloOa]:
    fake = FakeZaloOa(text_limit=500)
    with fake.running():
        yield fake


@pytest.fixture
def fake_zalo_oa(_zalo_oa_server: FakeZaloOa) -> FakeZaloOa:
    """The fake Zalo OA platform, with a fresh refresh-token chain for each test."""
    _zalo_oa_server.reset("rt-0")
    _zalo_oa_server.per_chat_per_second = None
    return _zalo_oa_server


def oa_settings(fake: FakeZaloOa, **extra: object) -> Settings:
    """Settings of an OA app pointing at the fake."""
    return get_settings(
        _env_file=None,
        zalo_oa_app_id=fake.app_id,
        zalo_oa_secret_key=fake.secret_key,
        zalo_oa_app_secret=fake.app_secret,
        zalo_oa_refresh_token="rt-0",
        zalo_oa_api_base_url=fake.url,
        zalo_oa_oauth_base_url=fake.url,
        **extra,
    )


@dataclass
class ZaloOaRig:
    """Our server with the OA webhook, and one follower talking to it."""

    app: BotApp
    url: str
    fake: FakeZaloOa
    channel: ZaloOaChannel
    chat: OaChat

    async def deliver(self, event: dict[str, object], **options: object) -> int:
        """Post an event to the webhook, then wait until stored events are processed."""
        status = await self.fake.post_webhook(f"{self.url}/webhook/zalo-oa", event, **options)
        await self.channel.drain()
        return status


@pytest.fixture
async def zalo_oa_rig(
    db_url: str, tmp_path: Path, clock: FrozenClock, fake_zalo_oa: FakeZaloOa, chat_rate: float
) -> AsyncIterator[ZaloOaRig]:
    """The bot served on loopback with the Zalo OA webhook, demo units loaded."""

    def settings(_: str) -> Settings:
        return oa_settings(
            fake_zalo_oa,
            database_url=db_url,
            data_dir=tmp_path / "data",
            zalo_rate_per_chat=chat_rate,
        )

    async with served_bot(clock, settings) as (app, api, url):
        rig = ZaloOaRig(
            app, url, fake_zalo_oa, api.state.channels.get("zalo_oa"), OaChat(fake_zalo_oa, "oa1")
        )
        rig.chat.deliver = rig.deliver
        yield rig
