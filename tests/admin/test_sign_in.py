"""Password accounts for bootstrap administrators (`cdsbot admin create`), and the slow-down of
repeated failed sign-ins (per client address and per user name)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from bot.app import BotApp
from tests.admin.conftest import csrf_of

ROOT = Path(__file__).resolve().parents[2]


async def _sign_in(web: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    form = await web.get("/admin/dangnhap")
    return await web.post(
        "/admin/dangnhap",
        data={"csrf": csrf_of(form.text), "username": username, "password": password},
    )


def test_admin_create_from_the_command_line(db_url: str, tmp_path: Path) -> None:
    env = dict(os.environ, DATABASE_URL=db_url, DATA_DIR=str(tmp_path))
    command = [sys.executable, "-m", "bot.entry", "admin", "create", "quantri", "--password-stdin"]
    short = subprocess.run(
        command, input="ngan\n", env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert short.returncode != 0 and "ít nhất 12 ký tự" in short.stderr
    made = subprocess.run(
        command + ["--name", "Quản trị tỉnh"],
        input="mat-khau-du-dai-1\n",
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    assert "Đã tạo quản trị viên 'quantri'" in made.stdout


async def test_password_sign_in_and_the_slow_down(bot: BotApp, web: httpx.AsyncClient) -> None:
    await bot.services.console.save_account("quantri", "mat-khau-du-dai-1", "Quản trị tỉnh")
    for _ in range(3):
        wrong = await _sign_in(web, "quantri", "sai-mat-khau")
        assert wrong.status_code == 401 and "chưa đúng" in wrong.text
    # after three failures even the right password must wait
    blocked = await _sign_in(web, "quantri", "mat-khau-du-dai-1")
    assert blocked.status_code == 429 and "chờ" in blocked.text
    bot.services.clock.advance(__import__("datetime").timedelta(seconds=5))  # type: ignore[attr-defined]
    ok = await _sign_in(web, "QuanTri", "mat-khau-du-dai-1")
    assert ok.status_code == 303
    page = await web.get("/admin/nhat-ky")
    assert page.status_code == 200 and "Quản trị tỉnh" in page.text


async def test_the_stored_password_is_an_argon2_hash(bot: BotApp) -> None:
    await bot.services.console.save_account("quantri", "mat-khau-du-dai-1", "Quản trị tỉnh")
    from sqlalchemy import select

    from bot.storage.models import AdminAccount

    async with bot.db.transaction() as session:
        account = await session.scalar(select(AdminAccount))
    assert account is not None
    assert account.password_hash.startswith("$argon2id$")
    assert "mat-khau" not in account.password_hash
