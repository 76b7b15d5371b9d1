"""`cdsbot users list` filters and `cdsbot users find`: finding a person's CHANNEL:ID."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings
from bot.services.roles import Role
from tests.helpers.tables import table_rows
from tests.scheduler.helpers import unit_id

runner = CliRunner(env={"COLUMNS": "160"})


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    return settings


def _people(settings: Settings) -> None:
    async def body() -> None:
        bot = BotApp.build(settings)
        users = bot.services.users
        assert (await bot.services.units.import_csv(Path("bot/demo/units.csv"))).ok
        for channel, external_id, name, unit in (
            ("telegram", "11", "Nguyễn Văn An", "SYT"),
            ("zalo_bot", "z22", "Trần Thị Bình", "BVDK-TAYNGUYEN"),
            ("telegram", "33", "Lê Văn Anh", "SKHCN"),
        ):
            profile = await users.touch(channel=channel, external_id=external_id)
            await users.record_consent(profile.id)
            await users.register_staff(
                profile.id, unit_id=await unit_id(bot, unit), full_name=name, position="Chuyên viên"
            )
        citizen = await users.touch(channel="web", external_id="w44")
        await users.record_consent(citizen.id)
        await users.register_citizen(citizen.id)
        await users.grant(channel="telegram", external_id="33", role=Role.ADMIN)
        await bot.close()

    asyncio.run(body())


def _ids(*args: str) -> list[str]:
    result = runner.invoke(cli, ["users", *args])
    assert result.exit_code == 0, result.output
    return sorted(row[0] for row in table_rows(result.output) if row[0])


def test_users_list_filters(env: Settings) -> None:
    _people(env)
    assert _ids("list") == ["telegram:11", "telegram:33", "web:w44", "zalo_bot:z22"]
    assert _ids("list", "--channel", "telegram") == ["telegram:11", "telegram:33"]
    assert _ids("list", "--role", "admin") == ["telegram:33"]
    assert _ids("list", "--unit", "SYT") == ["telegram:11", "zalo_bot:z22"]  # with sub-units
    assert _ids("list", "--search", "binh") == ["zalo_bot:z22"]  # accents ignored
    assert _ids("list", "--search", "van", "--channel", "telegram") == [
        "telegram:11",
        "telegram:33",
    ]
    assert _ids("list", "--search", "nguyen an", "--role", "admin") == []
    result = runner.invoke(cli, ["users", "list", "--unit", "KHONGCO"])
    assert result.exit_code == 1 and "Không có đơn vị mã 'KHONGCO'" in result.output


def test_users_find_gives_the_channel_id_to_grant_with(env: Settings) -> None:
    _people(env)
    result = runner.invoke(cli, ["users", "find", "Lê Văn Anh"])
    assert result.exit_code == 0, result.output
    [row] = [row for row in table_rows(result.output) if row[0]]
    assert row[:3] == ["telegram:33", "Lê Văn Anh", "Sở Khoa học và Công nghệ"]
    assert row[-1] == "admin"
    assert "cdsbot users grant KÊNH:MÃ" in result.output
    result = runner.invoke(cli, ["users", "find", "khong ai ten nay"])
    assert result.exit_code == 0 and "Không có người dùng nào khớp" in result.output
