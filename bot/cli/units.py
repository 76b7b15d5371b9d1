"""`cdsbot units import FILE.csv`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App

if TYPE_CHECKING:
    from bot.app import BotApp

app = App(help="Đơn vị.")


@app.command("import")
def import_units(
    path: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, help="Tệp CSV (xem docs/CONTENT_FORMAT.md)"),
    ],
) -> None:
    """Nhập hoặc cập nhật cây đơn vị từ tệp CSV (UTF-8 có hoặc không có BOM, hoặc UTF-16; phân
    cách bằng dấu phẩy, chấm phẩy hoặc tab)."""

    async def body(bot: BotApp) -> None:
        report = await bot.services.units.import_csv(path)
        if not report.ok:
            fail("\n".join([f"{path}: không nhập được, chưa thay đổi gì:"] + report.errors))
        typer.echo(f"Đã nhập: {report.created} đơn vị mới, {report.updated} đơn vị cập nhật.")

    run(body)
