"""Every reply the core produces, in whatever tests run, sent through the Telegram and Zalo Bot
renderers to the fake platforms: a reply the platform refuses (length, HTML, callback_data, …)
fails the test session. Loaded by pytest (`-p tests.channels.render_check` in pyproject.toml);
active when CDSBOT_RENDER_CHECK=1 (`make test` and CI set it). CDSBOT_RENDER_REPORT=<file> also
writes a JSON report (how many distinct replies were checked, and every refusal)."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from telegram import Bot

from bot.channels.media import MediaStore
from bot.channels.telegram import TelegramSender
from bot.channels.zalo_bot_api import ZaloBotClient, ZaloBotSender
from bot.config import get_settings
from bot.core.engine import Engine
from bot.core.events import IncomingEvent
from bot.core.notify import DeliveryError
from bot.core.replies import Outgoing, Reply
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot

TOKEN = "999:render-check"
ZALO_TOKEN = "998:render-check"


class RenderCheck:
    """Fake Telegram and Zalo Bot servers and the record of what they refused."""

    def __init__(self) -> None:
        self.telegram = FakeTelegram(TOKEN)
        self.zalo = FakeZaloBot(ZALO_TOKEN)
        self.checked = 0
        self.failures: list[dict[str, str]] = []
        self.current_test = ""
        self._seen: set[str] = set()

    def start(self) -> RenderCheck:
        """Serve both fakes."""
        self.telegram.start()
        self.zalo.start()
        return self

    def stop(self) -> None:
        """Stop both fakes."""
        self.telegram.stop()
        self.zalo.stop()

    async def check(self, replies: list[Reply]) -> None:
        """Send each reply not checked before through both renderers; record refusals."""
        fresh = [reply for reply in replies if repr(reply) not in self._seen]
        if not fresh:
            return
        self._seen.update(repr(reply) for reply in fresh)
        bot = Bot(TOKEN, base_url=self.telegram.base_url)
        settings = get_settings(
            _env_file=None, zalo_bot_token=ZALO_TOKEN, zalo_bot_api_base_url=self.zalo.base_url
        )
        zalo = ZaloBotSender(
            ZaloBotClient.from_settings(settings),
            MediaStore(settings.data_dir / "render-check", "https://x.test"),
        )
        try:
            for channel, send in (("telegram", TelegramSender(bot).send), ("zalo_bot", zalo.send)):
                for reply in fresh:
                    try:
                        await send("4242", [reply])
                    except DeliveryError as error:
                        self.failures.append(
                            {
                                "test": self.current_test,
                                "channel": channel,
                                "error": f"{type(error).__name__}: {error}",
                                "reply": repr(reply)[:500],
                            }
                        )
                    self.checked += 1
        finally:
            await bot.shutdown()
            await zalo.client.close()
            self.telegram.reset()
            self.zalo.reset()


_active: RenderCheck | None = None


def pytest_configure(config: pytest.Config) -> None:
    global _active
    if os.environ.get("CDSBOT_RENDER_CHECK") != "1":
        return
    _active = RenderCheck().start()
    original = Engine.handle

    async def handle(self: Engine, event: IncomingEvent) -> Outgoing:
        outgoing = await original(self, event)
        if _active is not None:
            await _active.check(
                [*outgoing.replies, *(r for notice in outgoing.notices for r in notice.replies)]
            )
        return outgoing

    Engine.handle = handle  # type: ignore[method-assign]


def pytest_runtest_setup(item: pytest.Item) -> None:
    if _active is not None:
        _active.current_test = item.nodeid


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _active is None:
        return
    _active.stop()
    report: dict[str, Any] = {"checked": _active.checked, "failures": _active.failures}
    target = os.environ.get("CDSBOT_RENDER_REPORT")
    if target:
        with open(target, "w", encoding="utf-8") as handle:
            json.dump(report, handle, ensure_ascii=False, indent=1)
    if _active.failures:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _active is None:
        return
    terminalreporter.write_line(
        f"render check: {_active.checked} distinct replies sent to the fake Telegram and Zalo "
        f"Bot APIs, {len(_active.failures)} refused"
    )
    for failure in _active.failures:
        terminalreporter.write_line(f"  REFUSED {failure}")
