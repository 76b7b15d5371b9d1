"""Fixtures for scheduler tests: the fake Telegram Bot API on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST-token"


@pytest.fixture
def fake() -> Iterator[FakeTelegram]:
    """The fake Bot API served from a thread of this process, fresh for each test."""
    server = FakeTelegram(TOKEN)
    with server.running():
        yield server
