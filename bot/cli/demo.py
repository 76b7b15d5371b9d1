"""`cdsbot demo load`: the demo data shipped in `bot/demo/`."""

from __future__ import annotations

import typer

from bot.app import BotApp
from bot.cli._common import fail, run
from bot.demo import load_demo

app = typer.Typer(help="Dữ liệu mẫu.", no_args_is_help=True)


@app.command("load")
def load() -> None:
    """Nạp dữ liệu mẫu (đơn vị của tỉnh Đắk Lắk, …); chạy lại nhiều lần vẫn an toàn."""

    async def body(bot: BotApp) -> None:
        problems = await load_demo(bot, echo=typer.echo)
        if problems:
            fail("\n".join(problems))

    run(body)
