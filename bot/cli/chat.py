"""`cdsbot chat`: talk to the bot in the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli._common import run

if TYPE_CHECKING:
    from bot.app import BotApp


def chat(user: str = typer.Option("", help="Mã người dùng trong kênh console")) -> None:
    """Trò chuyện với Trợ lý trong cửa sổ dòng lệnh."""

    async def body(bot: BotApp) -> None:
        from bot.channels.console import run_console

        await run_console(bot, user_id=user or None)

    run(body)
