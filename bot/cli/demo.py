"""`cdsbot demo load`: the demo data shipped in `bot/demo/`."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App

if TYPE_CHECKING:
    from bot.app import BotApp

app = App(help="Dữ liệu mẫu.")


@app.command("load")
def load() -> None:
    """Nạp dữ liệu mẫu (đơn vị của tỉnh Đắk Lắk, …); chạy lại nhiều lần vẫn an toàn."""

    async def body(bot: BotApp) -> None:
        from bot.demo import load_demo

        problems = await load_demo(bot, echo=typer.echo)
        if problems:
            fail("\n".join(problems))

    run(body)
