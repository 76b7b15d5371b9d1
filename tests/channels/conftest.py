"""Fixtures for channel tests: fake platform servers on loopback, reset between tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.server import create_app
from tests.channels.platform_chat import TelegramChat
from tests.fakes.serve import bound_socket, serve_here
from tests.fakes.telegram_api import FakeTelegram

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
    _telegram_server.configure(rate_limits=False, blocked_chats=[], failure_rate=0.0, seed=None)
    yield _telegram_server


TG_SECRET = "tg-webhook-secret_42"


@dataclass
class TelegramRig:
    """Our server in webhook mode against the fake Telegram, with one private chat."""

    app: BotApp
    url: str
    fake: FakeTelegram
    chat: TelegramChat


@pytest.fixture
async def telegram_rig(db_url: str, tmp_path: Path, clock: FrozenClock,
                       fake_telegram: FakeTelegram) -> AsyncIterator[TelegramRig]:
    """The bot served on loopback in Telegram webhook mode, demo units loaded."""
    sock = bound_socket()
    port = sock.getsockname()[1]
    settings = get_settings(
        database_url=db_url, data_dir=tmp_path / "data", _env_file=None,
        telegram_bot_token=TG_TOKEN, telegram_api_base_url=fake_telegram.base_url,
        telegram_webhook_url=f"http://127.0.0.1:{port}/tg/hook",
        telegram_webhook_secret=TG_SECRET,
    )
    app = await built_app(settings, clock)
    try:
        async with serve_here(create_app(settings, bot=app), sock) as url:
            yield TelegramRig(app, url, fake_telegram,
                              TelegramChat(fake_telegram, 42, fake_telegram.post_webhook))
    finally:
        await app.close()


async def built_app(settings: Settings, clock: FrozenClock) -> BotApp:
    """A wired bot with the demo units."""
    app = BotApp.build(settings, clock=clock)
    report = await app.services.units.import_csv(Path("bot/demo/units.csv"))
    assert report.ok, report.errors
    return app
