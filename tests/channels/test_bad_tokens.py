"""A configured channel whose token is malformed or refused by its platform: `cdsbot serve` stops
before listening with one Vietnamese line naming the setting (exit 1, no traceback), `cdsbot doctor`
reports a failed check, and a server started otherwise keeps the web chat and shows the channel as
refused at /healthz instead of retrying a refused token for ever."""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.messages import load_catalog
from tests.channels.conftest import served_bot
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot

ROOT = Path(__file__).resolve().parents[2]
t = load_catalog()


def _cdsbot(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`cdsbot ARGS` as an operator runs it, on the test's database, with these settings."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    return subprocess.run(
        [sys.executable, "-c", "from bot.entry import main; main()", *args],
        cwd=settings.data_dir.parent,
        env={
            **clean,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": settings.resolved_database_url,
            "DATA_DIR": str(settings.data_dir),
            "WEB_HOST": "127.0.0.1",
            "WEB_PORT": "0",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,  # the old `serve` kept running with a refused token: this timed out
    )


def _one_line(key: str) -> str:
    """A catalog line as printed (folded YAML: one line)."""
    line = t(key)
    assert "\n" not in line
    return line


@pytest.mark.parametrize(
    ("token", "key"),
    [
        ("abc", "channels.refused.telegram_malformed"),  # the Bot API would say 404 Not Found
        ("123 456:AAE", "channels.refused.telegram_malformed"),  # a pasted space
        ("999999:well-formed-but-wrong", "channels.refused.telegram_refused"),  # 401
    ],
)
@pytest.mark.parametrize("webhook", [False, True], ids=["polling", "webhook"])
def test_serve_stops_with_one_vietnamese_line_for_a_bad_telegram_token(
    settings: Settings, fake_telegram: FakeTelegram, token: str, key: str, webhook: bool
) -> None:
    hook = {"TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/tg/hook"} if webhook else {}
    done = _cdsbot(
        settings,
        "serve",
        TELEGRAM_BOT_TOKEN=token,
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        TELEGRAM_WEBHOOK_SECRET="tg-webhook-secret_42",
        **hook,
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "InvalidToken" not in done.stderr
    assert "Unauthorized" not in done.stderr
    assert _one_line(key) in done.stderr.splitlines()
    assert "Uvicorn running" not in done.stderr  # it stopped before listening
    assert not fake_telegram.webhook  # and set nothing on the platform


def test_serve_stops_for_a_refused_zalo_bot_token(
    settings: Settings, fake_zalo_bot: FakeZaloBot
) -> None:
    for token, key in (
        ("2468:not-the-secret", "channels.refused.zalo_bot_refused"),
        ("khong co dau hai cham", "channels.refused.zalo_bot_malformed"),
    ):
        done = _cdsbot(
            settings,
            "serve",
            ZALO_BOT_TOKEN=token,
            ZALO_BOT_API_BASE_URL=fake_zalo_bot.base_url,
        )
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        assert _one_line(key) in done.stderr.splitlines()


def test_doctor_fails_the_check_for_a_malformed_or_refused_token(
    settings: Settings, fake_telegram: FakeTelegram, fake_zalo_bot: FakeZaloBot
) -> None:
    done = _cdsbot(
        settings,
        "doctor",
        TELEGRAM_BOT_TOKEN="abc",
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
        ZALO_BOT_TOKEN="2468:not-the-secret",
        ZALO_BOT_API_BASE_URL=fake_zalo_bot.base_url,
    )
    assert done.returncode == 1
    assert "Traceback" not in done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert f"❌ {t('doctor.tg_malformed_token')}" in lines
    assert f"❌ {t('doctor.zb_bad_token')}" in lines
    assert not fake_telegram.calls  # a malformed token is not even sent
    done = _cdsbot(
        settings,
        "doctor",
        TELEGRAM_BOT_TOKEN="999999:well-formed-but-wrong",
        TELEGRAM_API_BASE_URL=fake_telegram.base_url,
    )
    assert done.returncode == 1 and "Traceback" not in done.stdout + done.stderr
    assert f"❌ {t('doctor.tg_bad_token')}" in done.stdout.splitlines()


async def test_a_server_started_otherwise_keeps_the_web_chat_and_reports_the_channel(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def settings(_: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            telegram_bot_token="999999:well-formed-but-wrong",
            telegram_api_base_url=fake_telegram.base_url,
        )

    caplog.set_level(logging.INFO)
    async with served_bot(clock, settings) as (_, _, url), httpx.AsyncClient(base_url=url) as web:
        health = (await web.get("/healthz")).json()
        assert health["status"] == "ok" and health["channels"] == {"telegram": "refused"}
        session = (await web.post("/api/chat/sessions")).json()["session"]
        auth = {"Authorization": f"Bearer {session}"}
        answer = await web.post("/api/chat/messages", json={"text": "/start"}, headers=auth)
        assert answer.status_code == 200 and answer.json()["replies"]
        calls = len(fake_telegram.calls)
        await asyncio.sleep(2.5)  # the old polling loop retried the refused token meanwhile
        assert len(fake_telegram.calls) == calls
    refused = [
        r for r in caplog.records if r.getMessage() == t("channels.refused.telegram_refused")
    ]
    assert len(refused) == 1 and refused[0].levelno == logging.ERROR
    assert not any(r.exc_info for r in caplog.records if r.name.startswith("bot.channels"))
