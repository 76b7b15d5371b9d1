"""`cdsbot chat`: talk to the bot in the terminal."""

from __future__ import annotations

import typer

from bot.app import BotApp
from bot.channels.console import run_console
from bot.cli._common import run


def chat(user: str = typer.Option("", help="Mã người dùng trong kênh console")) -> None:
    """Trò chuyện với Trợ lý trong cửa sổ dòng lệnh."""

    async def body(bot: BotApp) -> None:
        await run_console(bot, user_id=user or None)

    run(body)
