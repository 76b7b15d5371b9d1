"""`cdsbot targets ...`, `cdsbot report targets --xlsx FILE`, `cdsbot staff import FILE.csv`."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App
from bot.core.dates import DATE_HELP

if TYPE_CHECKING:
    from bot.app import BotApp

targets_app = App(help="Chỉ tiêu bồi dưỡng kỹ năng số của các đơn vị.")
report_app = App(help="Báo cáo.")
staff_app = App(help="Danh sách cán bộ của các đơn vị.")


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@targets_app.command("list")
def list_targets() -> None:
    """Liệt kê các chỉ tiêu (mã, tên, phạm vi, thời hạn, tỷ lệ yêu cầu, bộ câu hỏi)."""

    async def body(bot: BotApp) -> None:
        from bot.cli.tables import DATE_WIDTH, console, fixed, table, text
        from bot.core.clock import fmt_date
        from bot.messages.numbers import percent

        targets = await bot.services.quiz.targets.all()
        if not targets:
            typer.echo("Chưa có chỉ tiêu nào.")
            return
        grid = table(
            fixed("Mã"),
            text("Tên"),
            text("Phạm vi"),
            fixed("Từ", DATE_WIDTH),
            fixed("Đến", DATE_WIDTH),
            fixed("Yêu cầu", right=True),
            text("Bộ câu hỏi", 10),
        )
        for target in targets:
            below = " và các đơn vị trực thuộc" if target.include_subunits else ""
            grid.add_row(
                target.code,
                target.title,
                f"{target.unit_name}{below}",
                fmt_date(target.starts_on),
                fmt_date(target.due_on),
                percent(target.required_rate, 0),
                ", ".join(target.set_slugs),
            )
        console().print(grid)

    run(body)


@targets_app.command("add")
def add_target(
    code: str = typer.Argument(..., help="Mã chỉ tiêu, ví dụ 2026-H1-KSC"),
    title: str = typer.Option(..., help="Tên chỉ tiêu"),
    unit: str = typer.Option(..., help="Mã đơn vị (hoặc đơn vị cấp trên)"),
    sets: str = typer.Option(..., help="Các bộ câu hỏi, cách nhau bằng dấu phẩy"),
    due: str = typer.Option(..., help=f"Hạn chót, {DATE_HELP}"),
    start: str = typer.Option(..., "--from", help=f"Ngày bắt đầu tính, {DATE_HELP}"),
    rate: str = typer.Option("80", help="Tỷ lệ biên chế phải đạt, ví dụ 80 hoặc 0.8"),
    period: str = typer.Option("", help="Tên kỳ, ví dụ '6 tháng đầu năm 2026'"),
    only_unit: bool = typer.Option(False, "--only-unit", help="Chỉ đơn vị này, không gồm cấp dưới"),
) -> None:
    """Thêm hoặc sửa một chỉ tiêu (cùng mã thì cập nhật)."""
    from bot.core.dates import parse_date
    from bot.quiz.targets import TargetSpec, parse_rate

    try:
        required = parse_rate(rate)
    except ValueError:
        fail(f"Tỷ lệ '{rate}' chưa đúng; ví dụ 80 (nghĩa là 80%).")
    spec = TargetSpec(
        code=code,
        title=title,
        unit_code=unit,
        set_slugs=tuple(slug.strip() for slug in sets.split(",") if slug.strip()),
        starts_on=parse_date(start, label="Ngày bắt đầu (--from)"),
        due_on=parse_date(due, label="Hạn chót (--due)"),
        required_rate=required,
        include_subunits=not only_unit,
        period=period,
    )

    async def body(bot: BotApp) -> None:
        view, created, problems = await bot.services.quiz.targets.define(spec)
        if view is None:
            fail("Chưa lưu chỉ tiêu:\n" + "\n".join(f"- {p}" for p in problems))
        typer.echo(f"Đã {'thêm' if created else 'cập nhật'} chỉ tiêu {view.code}: {view.title}.")

    run(body)


@targets_app.command("import")
def import_targets(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Tệp YAML")],
) -> None:
    """Nhập các chỉ tiêu từ tệp YAML (danh sách 'targets:'); có lỗi thì không thay đổi gì."""

    async def body(bot: BotApp) -> None:
        report = await bot.services.quiz.targets.import_file(path)
        if not report.ok:
            fail("\n".join([f"{path}: không nhập được, chưa thay đổi gì:"] + report.errors))
        typer.echo(f"Đã nhập: {report.created} chỉ tiêu mới, {report.updated} chỉ tiêu cập nhật.")

    run(body)


@targets_app.command("remove")
def remove_target(code: str = typer.Argument(..., help="Mã chỉ tiêu")) -> None:
    """Xóa một chỉ tiêu (kết quả bài làm vẫn giữ nguyên)."""

    async def body(bot: BotApp) -> None:
        if not await bot.services.quiz.targets.remove(code):
            fail(f"Không có chỉ tiêu mã '{code}'. Xem các mã bằng: cdsbot targets list")
        typer.echo(f"Đã xóa chỉ tiêu {code}.")

    run(body)


@targets_app.command("show")
def show_target(code: str = typer.Argument(..., help="Mã chỉ tiêu")) -> None:
    """In bảng xếp hạng các đơn vị của một chỉ tiêu."""

    async def body(bot: BotApp) -> None:
        from bot.cli.tables import console, fixed, table, text
        from bot.core.clock import fmt_date
        from bot.messages.numbers import percent

        target = await bot.services.quiz.targets.by_code(code)
        board = await bot.services.quiz.progress.leaderboard(target.id) if target else None
        if board is None:
            fail(f"Không có chỉ tiêu mã '{code}'. Xem các mã bằng: cdsbot targets list")
        grid = table(
            fixed("Hạng", right=True),
            fixed("Mã"),
            text("Đơn vị"),
            fixed("Biên chế", right=True),
            fixed("Đăng ký", right=True),
            fixed("Đạt", right=True),
            fixed("Tỷ lệ", right=True),
            title=f"{board.target.title} — hạn {fmt_date(board.target.due_on)}",
        )
        for row in board.rows:
            grid.add_row(
                str(row.rank),
                row.code,
                row.name,
                str(row.headcount),
                str(row.registered),
                str(row.passed),
                percent(row.rate, down=True),
            )
        console().print(grid)

    run(body)


@report_app.command("targets")
def report_targets(
    xlsx: Annotated[Path, typer.Option("--xlsx", help="Tệp Excel sẽ ghi ra", dir_okay=False)],
    target: Annotated[
        list[str] | None, typer.Option("--target", help="Chỉ xuất các mã chỉ tiêu này")
    ] = None,
) -> None:
    """Xuất báo cáo chỉ tiêu ra Excel: mỗi chỉ tiêu một trang (đơn vị, biên chế, đã đạt, hạng)."""

    async def body(bot: BotApp) -> None:
        data, unknown = await bot.services.quiz.targets_report(target or [])
        if unknown:
            fail(f"Không có chỉ tiêu mã: {', '.join(unknown)}.")
        await asyncio.to_thread(_write, xlsx, data)
        typer.echo(f"Đã ghi báo cáo vào {xlsx}.")

    run(body)


@staff_app.command("import")
def import_staff(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Tệp CSV danh sách cán bộ")
    ],
) -> None:
    """Nhập danh sách cán bộ (CSV: unit_code,full_name,position,phone,email,staff_code; phân cách
    bằng dấu phẩy, chấm phẩy hoặc tab); thay danh sách cũ của các đơn vị có trong tệp. Người đăng
    ký có tên trong danh sách được xác nhận khi gõ đúng số điện thoại, e-mail hoặc mã cán bộ."""

    async def body(bot: BotApp) -> None:
        report = await bot.services.quiz.roster.import_csv(path)
        if not report.ok:
            fail("\n".join([f"{path}: không nhập được, chưa thay đổi gì:"] + report.errors))
        typer.echo(f"Đã nhập {report.people} cán bộ của {report.units} đơn vị.")

    run(body)


@staff_app.command("pending")
def pending_staff(unit: str = typer.Option("", help="Mã đơn vị (mặc định: cả tỉnh)")) -> None:
    """Liệt kê người đăng ký là cán bộ đang chờ xác nhận (KÊNH:MÃ, họ tên, chức vụ, đơn vị)."""

    async def body(bot: BotApp) -> None:
        if unit:
            found = await bot.services.units.search(unit)
            matches = [u for u in found.units if u.code.lower() == unit.lower()]
            if not matches:
                fail(f"Không có đơn vị mã '{unit}'.")
            roots = [matches[0].id]
        else:
            roots = await bot.services.quiz.progress.root_unit_ids()
        for root in roots:
            for person in await bot.services.staff.pending(root, limit=10_000):
                profile = await bot.services.users.get(person.user_id)
                ref = f"{profile.channel}:{profile.external_id}" if profile else "?"
                typer.echo(f"{ref}\t{person.name}\t{person.position}\t{person.unit_name}")

    run(body)


@staff_app.command("confirm")
def confirm_staff(user: str = typer.Argument(..., help="KÊNH:MÃ của người dùng")) -> None:
    """Xác nhận một người là cán bộ của đơn vị họ đang khai (quản trị viên, sau khi kiểm tra)."""
    channel, _, external_id = user.partition(":")

    async def body(bot: BotApp) -> None:
        profile = await bot.services.users.find(channel=channel, external_id=external_id)
        if profile is None or not profile.is_staff:
            fail(f"{user}: không có cán bộ đã đăng ký với mã này.")
            return
        await bot.services.staff.confirm_by_admin(profile.id)
        typer.echo(f"Đã xác nhận {profile.full_name} là cán bộ của {profile.unit_name}.")

    run(body)
