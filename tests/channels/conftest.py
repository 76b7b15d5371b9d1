"""Fixtures for channel tests: fake platform servers on loopback, reset between tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

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
