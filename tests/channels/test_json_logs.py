"""LOG_FORMAT=json: every line of a scripted conversation (a redelivery and a failing handler
included) is one JSON object, and none carries what the person typed, their name or phone, or
their platform id."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.logs import SecretRedactingFilter
from bot.observability.json_logs import JsonFormatter
from tests.channels.conftest import TG_SECRET, TG_TOKEN, served_bot
from tests.channels.platform_chat import TelegramChat
from tests.fakes.telegram_api import FakeTelegram

CHAT_ID = 987654321
NAME = "Nguyễn Thị Hoa"
PHONE = "0905123456"
EMAIL = "hoa.nguyen@example.vn"
QUESTION = f"Tôi là {NAME}, số {PHONE}, e-mail {EMAIL}: làm sao đăng ký?"


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """The root logger writing JSON lines into a buffer (as configure_logging sets it up)."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretRedactingFilter([TG_TOKEN, TG_SECRET]))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


async def test_a_conversation_logs_json_lines_without_personal_data(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    json_lines: io.StringIO,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def settings(base: str) -> Settings:
        return get_settings(
            _env_file=None,
            database_url=db_url,
            data_dir=tmp_path / "data",
            telegram_bot_token=TG_TOKEN,
            telegram_api_base_url=fake_telegram.base_url,
            telegram_webhook_url=f"{base}/tg/hook",
            telegram_webhook_secret=TG_SECRET,
            telegram_rate_per_chat=1000.0,
            log_format="json",
        )

    async with served_bot(clock, settings) as (app, _, _):
        chat = TelegramChat(fake_telegram, CHAT_ID, fake_telegram.post_webhook)
        await chat.say("/start")
        await chat.press("Đồng ý")
        await chat.press("Người dân")
        await chat.say(QUESTION)
        assert await fake_telegram.post_webhook(chat.updates[-1]) == 200  # redelivered

        async def broken(question: str, **_: object) -> None:
            raise ValueError(f"không hiểu câu: {question}")  # quotes the person's text

        monkeypatch.setattr(app.services.knowledge, "ask", broken)
        await chat.say(QUESTION)  # the handler fails: a traceback is logged

    lines = [line for line in json_lines.getvalue().splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is one JSON object
    assert records, "the conversation logged nothing"
    assert all({"time", "level", "logger", "message"} <= set(r) for r in records)
    failure = [r for r in records if r.get("exc_type") == "ValueError"]
    assert failure and failure[0]["stack"], "the handler's failure is logged with its stack"
    assert any("redelivery" in r["message"] for r in records)
    everything = "\n".join(lines)
    for secret in (NAME, PHONE, EMAIL, "đăng ký?", "không hiểu câu", str(CHAT_ID), TG_TOKEN):
        assert secret not in everything, secret


def test_configure_logging_writes_json_lines_when_asked(tmp_path: Path) -> None:
    code = (
        "import logging\n"
        "from bot.config import get_settings\n"
        "from bot.logs import configure_logging\n"
        "configure_logging(get_settings(_env_file=None, log_format='JSON'))\n"
        "log = logging.getLogger('bot.test')\n"
        f"log.warning('notice for unknown account %s on %s', '{CHAT_ID}', 'telegram')\n"
        "logging.getLogger('uvicorn.access').info("
        "'%s - \"%s %s HTTP/1.1\" %d', '14.225.7.9:51234', 'GET', '/admin/login/"
        + "Ab1"
        * 10
        + "', 200)\n"
        "logging.getLogger('uvicorn.access').info('%s - x', '[2001:db8:1::7]:443')\n"
        "try:\n"
        f"    raise RuntimeError('{QUESTION}')\n"
        "except RuntimeError:\n"
        "    log.exception('handler failed')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    records = [json.loads(line) for line in done.stderr.splitlines()]
    assert [r["logger"] for r in records] == [
        "bot.test",
        "uvicorn.access",
        "uvicorn.access",
        "bot.test",
    ]
    assert records[0]["message"].startswith("notice for unknown account #")
    assert records[1]["message"].startswith("#") and '"GET /admin/login/#' in records[1]["message"]
    assert records[3]["exc_type"] == "RuntimeError"
    for secret in (str(CHAT_ID), NAME, PHONE, "14.225.7.9", "2001:db8", "Ab1Ab1"):
        assert secret not in done.stderr, secret
