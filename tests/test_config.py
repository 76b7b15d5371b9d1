"""Settings: defaults, URL handling, placeholder secrets refused, secrets kept out of logs."""

from __future__ import annotations

import logging

import pytest
from pydantic import SecretStr, ValidationError

from bot.app import SecretRedactingFilter
from bot.config import get_settings


def test_sqlite_is_the_default_and_postgres_urls_use_asyncpg(tmp_path) -> None:
    settings = get_settings(data_dir=tmp_path, _env_file=None)
    assert settings.resolved_database_url == f"sqlite+aiosqlite:///{tmp_path}/cdsbot.db"
    pg = get_settings(database_url="postgresql://u@h/db", _env_file=None)
    assert pg.resolved_database_url == "postgresql+asyncpg://u@h/db"
    assert str(get_settings(_env_file=None).tz) == "Asia/Ho_Chi_Minh"


def test_placeholder_secret_is_refused() -> None:
    with pytest.raises(ValidationError):
        get_settings(telegram_webhook_secret="changethis", _env_file=None)


def test_secrets_never_reach_the_log(caplog: pytest.LogCaptureFixture) -> None:
    token = SecretStr("123456:ABC-secret-token")
    assert "ABC-secret" not in repr(get_settings(telegram_bot_token=token, _env_file=None))
    logger = logging.getLogger("test.redaction")
    logger.addFilter(SecretRedactingFilter([token.get_secret_value()]))
    with caplog.at_level(logging.INFO, logger="test.redaction"):
        logger.info("POST https://api.telegram.org/bot%s/sendMessage", token.get_secret_value())
    assert "ABC-secret" not in caplog.text and "***" in caplog.text
