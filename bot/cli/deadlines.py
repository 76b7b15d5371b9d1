"""`cdsbot deadlines import|add|list|cancel|report|sweep`: deadlines and their reminders."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.app import BotApp
from bot.cli._common import fail, run
from bot.core.clock import fmt_datetime
from bot.messages import load_catalog
from bot.scheduler.audience import SPEC_HELP, BadAudience, parse_spec
from bot.scheduler.compose import reason_label
from bot.scheduler.deadline_file import CODE, BadDue, parse_due
from bot.scheduler.deadlines import DeadlineReport, DeadlineSpec
from bot.scheduler.timing import BadOffset, local_date, parse_offsets

app = typer.Typer(help="Lịch hạn và nhắc việc.", no_args_is_help=True)
STATES = {
    "pending": "chờ đến giờ",
    "done": "đã quét",
    "superseded": "bỏ qua (đã muộn)",
    "cancelled": "đã hủy",
}


@app.command("import")
def import_file(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Tệp YAML (xem docs/REMINDERS.md)")
    ],
) -> None:
    """Nạp (thêm hoặc cập nhật) các hạn từ tệp YAML; có lỗi thì không nạp gì."""

    content = path.read_text(encoding="utf-8-sig")

    async def body(bot: BotApp) -> None:
        report = await bot.services.reminders.deadlines.import_text(content)
        if report.errors:
            fail("\n".join(report.errors))
        typer.echo(f"Đã nạp: {report.created} hạn mới, {report.updated} hạn cập nhật.")

    run(body)


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Mã hạn, ví dụ bao-cao-cds-q2")],
    title: Annotated[str, typer.Option(help="Tiêu đề, ví dụ 'Nộp báo cáo chuyển đổi số quý II'")],
    due: Annotated[str, typer.Option(help="Hạn (giờ Việt Nam), ví dụ '30/06/2026 17:00'")],
    audience: Annotated[str, typer.Option(help=SPEC_HELP)],
    description: Annotated[str, typer.Option(help="Mô tả ngắn")] = "",
    offsets: Annotated[str, typer.Option(help="Các mốc nhắc trước hạn")] = "7d,3d,1d,morning",
    urgent: Annotated[bool, typer.Option(help="Gửi cả trong giờ yên lặng (21:00–07:00)")] = False,
) -> None:
    """Thêm hoặc cập nhật một hạn."""
    if not CODE.match(code):
        fail(f"Mã '{code}' chỉ gồm chữ không dấu, số, '-' hoặc '_'.")

    async def body(bot: BotApp) -> None:
        reminders = bot.services.reminders
        tz = bot.settings.tz
        try:
            due_at = parse_due(due, tz)
            marks = tuple(parse_offsets(offsets))
            async with bot.db.transaction() as session:
                who = await parse_spec(
                    session,
                    audience,
                    progress=reminders.deadlines.progress,
                    on=local_date(bot.services.clock.now(), tz),
                )
        except BadDue:
            fail(f"Hạn '{due}' chưa đúng, ví dụ: '30/06/2026 17:00'.")
            return
        except BadOffset as error:
            fail(f"Mốc nhắc '{error}' chưa đúng (dùng 7d, 3d, 1d, 12h hoặc morning).")
            return
        except BadAudience as error:
            fail(str(error))
            return
        view, created = await reminders.deadlines.define(
            DeadlineSpec(code, title.strip(), due_at, who, description.strip(), marks, urgent)
        )
        typer.echo(
            f"{'Đã thêm' if created else 'Đã cập nhật'} hạn {view.code}: {view.title} "
            f"(hạn {fmt_datetime(view.due_at, tz)})."
        )

    run(body)


@app.command("list")
def list_deadlines() -> None:
    """Liệt kê các hạn (mã, hạn, tiêu đề, trạng thái)."""

    async def body(bot: BotApp) -> None:
        items = await bot.services.reminders.deadlines.all()
        if not items:
            typer.echo("Chưa có hạn nào.")
        for item in items:
            state = "đã hủy" if item.cancelled else ("khẩn" if item.urgent else "")
            typer.echo(
                f"{item.code}\t{fmt_datetime(item.due_at, bot.settings.tz)}\t"
                f"{item.title}\t{','.join(item.offsets)}\t{state}".rstrip()
            )

    run(body)


@app.command("cancel")
def cancel(code: Annotated[str, typer.Argument(help="Mã hạn")]) -> None:
    """Hủy một hạn: không nhắc nữa, tin chưa gửi bị bỏ."""

    async def body(bot: BotApp) -> None:
        if await bot.services.reminders.deadlines.cancel(code) is None:
            fail(f"Không có hạn mã '{code}'. Gõ 'cdsbot deadlines list' để xem các mã.")
        typer.echo(f"Đã hủy hạn {code}.")

    run(body)


@app.command("report")
def report(code: Annotated[str, typer.Argument(help="Mã hạn (bỏ trống: mọi hạn)")] = "") -> None:
    """Báo cáo gửi nhắc: số người nhận, đã gửi, thất bại (theo lý do), đã bấm "Đã nhận"."""

    async def body(bot: BotApp) -> None:
        reports = await bot.services.reminders.deadlines.report(code or None)
        if not reports:
            fail(f"Không có hạn mã '{code}'." if code else "Chưa có hạn nào.")
        console = Console()
        for item in reports:
            console.print(_table(item, bot))
            console.print(
                f"Đối tượng: {item.audience}.\nNgười được nhắc: {item.recipients}; "
                f"đã nhận được ít nhất một tin: {item.reached}; "
                f'đã bấm "Đã nhận": {item.acknowledged}.\n',
                soft_wrap=True,
            )

    run(body)


@app.command("sweep")
def sweep() -> None:
    """Quét ngay một lần: đưa các nhắc việc, mẹo, nhắc tiến độ đã đến giờ vào hàng đợi gửi."""

    async def body(bot: BotApp) -> None:
        done = await bot.services.reminders.sweeper.run()
        typer.echo(
            f"Đã xếp hàng: {done.messages} tin nhắc hạn, {done.tips} mẹo, "
            f"{done.nudges} tin nhắc tiến độ."
        )

    run(body)


def _table(item: DeadlineReport, bot: BotApp) -> Table:
    tz = bot.settings.tz
    deadline = item.deadline
    heading = f"{deadline.code} — {deadline.title} (hạn {fmt_datetime(deadline.due_at, tz)})"
    table = Table(title=heading, title_justify="left")
    for column in (
        "Mốc",
        "Thời điểm",
        "Trạng thái",
        "Người nhận",
        "Đã gửi",
        "Đang chờ",
        "Thất bại (lý do)",
    ):
        table.add_column(column)
    for row in item.rounds:
        counts = row.counts
        failed = ", ".join(
            f"{reason_label(load_catalog(), reason)}: {count}"
            for reason, count in sorted(counts.failed.items())
        )
        table.add_row(
            row.label,
            fmt_datetime(row.fire_at, tz),
            STATES.get(row.state, row.state),
            str(counts.total),
            str(counts.sent),
            str(counts.pending),
            failed or "0",
        )
    return table
