"""The command line: migrations, unit import with clear errors, role grants."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings

runner = CliRunner()


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    return settings


def test_upgrade_and_import_and_grant(env: Settings, tmp_path: Path) -> None:
    assert runner.invoke(cli, ["db", "upgrade"]).exit_code == 0
    result = runner.invoke(cli, ["units", "import", "bot/demo/units.csv"])
    assert result.exit_code == 0, result.output
    assert "Đã nhập" in result.output

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name,parent_code\nA1,,\n", encoding="utf-8")
    result = runner.invoke(cli, ["units", "import", str(bad)])
    assert result.exit_code == 1 and "Dòng 2" in result.output

    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes(b"code,name\nA,S\xf4 Y t\xe9\n")
    result = runner.invoke(cli, ["units", "import", str(latin1)])
    assert result.exit_code == 1 and "UTF-8" in result.output

    result = runner.invoke(cli, ["users", "grant", "telegram:42", "admin"])
    assert result.exit_code == 1 and "Không có người dùng" in result.output

    async def first_contact() -> None:
        bot = BotApp.build(env)
        await bot.services.users.touch(channel="telegram", external_id="42")
        await bot.close()

    asyncio.run(first_contact())
    result = runner.invoke(cli, ["users", "grant", "telegram:42", "manager"])
    assert result.exit_code == 1 and "--unit" in result.output
    result = runner.invoke(cli, ["users", "grant", "telegram:42", "manager", "--unit", "SYT"])
    assert result.exit_code == 0 and "Đã cấp quyền" in result.output
    result = runner.invoke(cli, ["users", "revoke", "telegram:42", "manager"])
    assert result.exit_code == 0 and "Đã thu hồi 1" in result.output
