"""`cdsbot admin create`: a bootstrap administrator with a password for the web console
(everyone else signs in with a one-time link from /dangnhapweb)."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App

if TYPE_CHECKING:
    from bot.app import BotApp

app = App(help="Tài khoản quản trị trang web (/admin).")
USERNAME = re.compile(r"^[a-z0-9._-]{3,64}$")
MIN_PASSWORD = 12


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Tên đăng nhập (chữ thường, số, . _ -)"),
    name: str = typer.Option("", help="Tên hiển thị trong nhật ký quản trị"),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Đọc mật khẩu từ dòng đầu của stdin (cho kịch bản)"
    ),
) -> None:
    """Tạo quản trị viên đăng nhập bằng mật khẩu, hoặc đặt lại mật khẩu nếu đã có."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        fail(
            "Tên đăng nhập cần 3–64 ký tự: chữ thường không dấu, số, dấu chấm,"
            " gạch dưới, gạch ngang."
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt(
            "Mật khẩu", hide_input=True, confirmation_prompt="Nhập lại mật khẩu"
        )
    if len(password) < MIN_PASSWORD:
        fail(f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")

    async def body(bot: BotApp) -> bool:
        return await bot.services.console.save_account(username, password, name or username)

    created = run(body)
    typer.echo(
        f"Đã tạo quản trị viên '{username}'."
        if created
        else f"Đã đặt lại mật khẩu cho '{username}'."
    )
