"""`cdsbot nominations round open|close|list` and `cdsbot nominations export`."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App
from bot.core.dates import DATE_HELP

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.nominations.rounds import RoundError
    from bot.nominations.types import RoundView

app = App(help="Đề cử khen thưởng: đợt đề cử và xuất danh sách.")
rounds = App(help="Đợt nhận đề cử.")
app.add_typer(rounds, name="round")


def _explain(error: RoundError) -> None:
    from bot.messages import load_catalog

    fail(load_catalog()(f"nominate.round_error.{error.key}", **error.values))


@rounds.command("open")
def open_round(
    name: str = typer.Option(..., "--name", help='Tên đợt, ví dụ "Đợt 1 năm 2026"'),
    closes: str = typer.Option(..., "--closes", help=f"Ngày đóng ({DATE_HELP}), nhận hết ngày này"),
    opens: str = typer.Option("", "--opens", help=f"Ngày mở ({DATE_HELP}); mặc định hôm nay"),
    categories: str = typer.Option(
        "ca-nhan,tap-the,sang-kien",
        "--categories",
        help="Loại nhận đề cử: ca-nhan, tap-the, sang-kien (cách nhau bằng dấu phẩy)",
    ),
    code: str = typer.Option("", "--code", help="Mã đợt (chữ thường không dấu); mặc định từ tên"),
) -> None:
    """Mở một đợt nhận đề cử (ngày theo giờ Việt Nam)."""

    async def body(bot: BotApp) -> None:
        from bot.core.clock import fmt_date
        from bot.messages import load_catalog
        from bot.nominations.rounds import RoundError, parse_categories, parse_day
        from bot.nominations.texts import category_label

        service = bot.services.nominations.rounds
        try:
            opens_on: date = parse_day(opens) if opens else service.today()
            opened = await service.open(
                name=name,
                code=code,
                categories=parse_categories(categories),
                opens_on=opens_on,
                closes_on=parse_day(closes),
            )
        except RoundError as error:
            _explain(error)
            return
        t = load_catalog()
        kinds = ", ".join(category_label(t, c) for c in opened.categories)
        tz = bot.settings.tz
        typer.echo(
            f"Đã mở đợt {opened.code}: {opened.name} ({kinds}), "
            f"từ {fmt_date(opened.opens_on, tz)} đến hết {fmt_date(opened.closes_on, tz)}."
        )

    run(body)


@rounds.command("close")
def close_round(code: str = typer.Argument(..., help="Mã đợt")) -> None:
    """Đóng một đợt ngay bây giờ (không nhận thêm đề cử)."""

    async def body(bot: BotApp) -> None:
        from bot.nominations.rounds import RoundError

        try:
            closed = await bot.services.nominations.rounds.close(code)
        except RoundError as error:
            _explain(error)
            return
        typer.echo(f"Đã đóng đợt {closed.code}: {closed.name}.")

    run(body)


@rounds.command("list")
def list_rounds() -> None:
    """Liệt kê các đợt (mã, tên, loại, ngày mở – đóng, trạng thái, số đề cử)."""

    async def body(bot: BotApp) -> None:
        from bot.cli.tables import DATE_WIDTH, console, fixed, table, text
        from bot.core.clock import fmt_date
        from bot.messages import load_catalog
        from bot.nominations.texts import category_label

        service = bot.services.nominations.rounds
        t = load_catalog()
        tz = bot.settings.tz
        listing = await service.listing()
        if not listing:
            typer.echo("Chưa có đợt đề cử nào. Mở đợt: cdsbot nominations round open --help")
            return
        today = service.today()
        grid = table(
            fixed("Mã"),
            text("Tên"),
            text("Loại", 10),
            fixed("Mở", DATE_WIDTH),
            fixed("Đóng", DATE_WIDTH),
            fixed("Trạng thái"),
            fixed("Đề cử", right=True),
        )
        for found, count in listing:
            if found.closed_at is not None:
                state = f"đã đóng {fmt_date(found.closed_at, tz)}"
            elif found.is_open_on(today):
                state = "đang mở"
            elif found.opens_on > today:
                state = "sắp mở"
            else:
                state = "đã kết thúc"
            kinds = ", ".join(category_label(t, c) for c in found.categories)
            grid.add_row(
                found.code,
                found.name,
                kinds,
                fmt_date(found.opens_on, tz),
                fmt_date(found.closes_on, tz),
                state,
                str(count),
            )
        console().print(grid)

    run(body)


@app.command("export")
def export(
    round_code: Annotated[str, typer.Option("--round", help="Mã đợt")],
    xlsx: Annotated[Path, typer.Option("--xlsx", dir_okay=False, help="Tệp Excel sẽ ghi ra")],
) -> None:
    """Xuất danh sách đề cử của một đợt ra tệp Excel (mỗi dòng một người/tập thể/sáng kiến)."""

    async def body(bot: BotApp) -> tuple[RoundView, bytes] | None:
        return await bot.services.nominations.export_xlsx(round_code)

    exported = run(body)
    if exported is None:
        from bot.nominations.rounds import RoundError

        _explain(RoundError("unknown", value=round_code))
        return
    found, data = exported
    xlsx.parent.mkdir(parents=True, exist_ok=True)
    xlsx.write_bytes(data)
    typer.echo(f"Đã xuất danh sách đề cử của đợt {found.code} ra {xlsx}.")
