"""`cdsbot units import FILE.csv`."""

from __future__ import annotations

from pathlib import Path

import typer

from bot.app import BotApp
from bot.cli._common import fail, run

app = typer.Typer(help="Đơn vị.", no_args_is_help=True)


@app.command("import")
def import_units(path: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
    """Nhập hoặc cập nhật cây đơn vị từ tệp CSV (UTF-8, có hoặc không có BOM)."""

    async def body(bot: BotApp) -> None:
        try:
            report = await bot.services.units.import_csv(path)
        except UnicodeDecodeError:
            fail(f"{path}: tệp không phải UTF-8. Hãy lưu lại tệp với mã hóa UTF-8.")
            return
        if not report.ok:
            fail("\n".join([f"{path}: không nhập được, chưa thay đổi gì:"] + report.errors))
        typer.echo(f"Đã nhập: {report.created} đơn vị mới, {report.updated} đơn vị cập nhật.")

    run(body)
