"""`cdsbot deadlines import|add|list|cancel|report|sweep`: deadlines and their reminders."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, read_text, run
from bot.cli.vietnamese import App
from bot.core.dates import DATETIME_HELP
from bot.scheduler.audience_spec import SPEC_HELP

if TYPE_CHECKING:
    from rich.table import Table

    from bot.app import BotApp
    from bot.scheduler.deadlines import DeadlineReport, DeadlineView

app = App(help="Lịch hạn và nhắc việc.")
ROUND_STATES = {
    "pending": "chờ đến giờ",
    "done": "đã quét",
    "superseded": "bỏ qua (đã muộn)",
    "cancelled": "đã hủy",
}
YES_HELP = "Không hỏi lại khi hạn đã qua"


def state_of(deadline: DeadlineView, now: datetime) -> str:
    """ "đã hủy", "đã qua" or "sắp tới" — what `deadlines list` shows."""
    if deadline.cancelled:
        return "đã hủy"
    return "đã qua" if deadline.due_at <= now else "sắp tới"


def _confirm_past(what: list[str], yes: bool) -> None:
    """Adding a deadline that is already over reminds nobody: say so and ask (unless --yes)."""
    if not what or yes:
        return
    typer.echo("Hạn đã qua, sẽ không có nhắc việc nào được gửi:", err=True)
    for line in what:
        typer.echo(f"  {line}", err=True)
    try:
        agreed = typer.confirm("Vẫn lưu?", default=False, err=True)
    except typer.Abort:
        agreed = False
    if not agreed:
        fail("Chưa lưu gì. Sửa hạn, hoặc thêm --yes nếu đúng là muốn lưu hạn đã qua.")


@app.command("import")
def import_file(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Tệp YAML (xem docs/REMINDERS.md)")
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
) -> None:
    """Nạp (thêm hoặc cập nhật) các hạn từ tệp YAML; có lỗi thì không nạp gì."""
    content = read_text(path)

    async def body(bot: BotApp) -> None:
        from bot.core.clock import fmt_datetime
        from bot.scheduler.deadline_file import read
        from bot.scheduler.timing import local_date

        tz = bot.settings.tz
        now = bot.services.clock.now()
        parsed = read(content, tz=tz, today=local_date(now, tz))
        _confirm_past(
            [
                f"{entry.where('due')}: {entry.title} (hạn {fmt_datetime(entry.due_at, tz)})"
                for entry in parsed.entries
                if entry.due_at <= now
            ]
            if not parsed.errors
            else [],
            yes,
        )
        report = await bot.services.reminders.deadlines.import_text(content)
        if report.errors:
            fail("\n".join([f"{path}: không nạp được, chưa thay đổi gì:"] + report.errors))
        typer.echo(f"Đã nạp: {report.created} hạn mới, {report.updated} hạn cập nhật.")

    run(body)


@app.command("add")
def add(
    code: Annotated[str, typer.Argument(help="Mã hạn, ví dụ bao-cao-cds-q2")],
    title: Annotated[str, typer.Option(help="Tiêu đề, ví dụ 'Nộp báo cáo chuyển đổi số quý II'")],
    due: Annotated[str, typer.Option(help=f"Hạn: {DATETIME_HELP} (chỉ ngày: 17:00)")],
    audience: Annotated[str, typer.Option(help=SPEC_HELP)],
    description: Annotated[str, typer.Option(help="Mô tả ngắn")] = "",
    offsets: Annotated[str, typer.Option(help="Các mốc nhắc trước hạn")] = "7d,3d,1d,morning",
    urgent: Annotated[bool, typer.Option(help="Gửi cả trong giờ yên lặng (21:00–07:00)")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=YES_HELP)] = False,
) -> None:
    """Thêm hoặc cập nhật một hạn."""
    from bot.scheduler.deadline_file import CODE

    if not CODE.match(code):
        fail(f"Mã '{code}' chỉ gồm chữ không dấu, số, '-' hoặc '_'.")

    async def body(bot: BotApp) -> None:
        from bot.core.clock import fmt_datetime
        from bot.scheduler.audience import resolve
        from bot.scheduler.deadline_file import parse_due
        from bot.scheduler.deadlines import DeadlineSpec
        from bot.scheduler.timing import BadOffset, local_date, parse_offsets

        reminders = bot.services.reminders
        tz = bot.settings.tz
        now = bot.services.clock.now()
        due_at = parse_due(due, tz)
        try:
            marks = tuple(parse_offsets(offsets))
        except BadOffset as error:
            fail(f"Mốc nhắc '{error}' chưa đúng (dùng 7d, 3d, 1d, 12h hoặc morning).")
        async with bot.db.transaction() as session:
            who = await resolve(
                session,
                audience,
                progress=reminders.deadlines.progress,
                on=local_date(now, tz),
            )
        if due_at <= now:
            _confirm_past([f"{code}: {title.strip()} (hạn {fmt_datetime(due_at, tz)})"], yes)
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
    """Liệt kê các hạn (mã, hạn, tiêu đề, mốc nhắc, trạng thái: sắp tới, đã qua, đã hủy)."""

    async def body(bot: BotApp) -> None:
        from bot.cli.tables import DATETIME_WIDTH, console, fixed, table, text
        from bot.core.clock import fmt_datetime

        items = await bot.services.reminders.deadlines.all()
        if not items:
            typer.echo("Chưa có hạn nào.")
            return
        now = bot.services.clock.now()
        grid = table(
            fixed("Mã"),
            fixed("Hạn", DATETIME_WIDTH),
            text("Tiêu đề", 16),
            text("Mốc nhắc", 8),
            fixed("Trạng thái"),
        )
        for item in items:
            state = state_of(item, now) + (", khẩn" if item.urgent else "")
            grid.add_row(
                item.code,
                fmt_datetime(item.due_at, bot.settings.tz),
                item.title,
                ", ".join(item.offsets),
                state,
            )
        console().print(grid)

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
        from bot.cli.tables import console

        reports = await bot.services.reminders.deadlines.report(code or None)
        if not reports:
            fail(f"Không có hạn mã '{code}'." if code else "Chưa có hạn nào.")
        out = console()
        for item in reports:
            out.print(_table(item, bot))
            out.print(
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
    from bot.cli.tables import DATETIME_WIDTH, fixed, table, text
    from bot.core.clock import fmt_datetime
    from bot.scheduler.compose import reason_label

    tz = bot.settings.tz
    deadline = item.deadline
    grid = table(
        fixed("Mốc"),
        fixed("Thời điểm", DATETIME_WIDTH),
        text("Trạng thái", 8),
        fixed("Nhận", right=True),
        fixed("Đã gửi", right=True),
        fixed("Chờ", right=True),
        text("Thất bại (lý do)", 10),
        title=f"{deadline.code} — {deadline.title} (hạn {fmt_datetime(deadline.due_at, tz)})",
    )
    for row in item.rounds:
        counts = row.counts
        failed = ", ".join(
            f"{reason_label(bot.catalog, reason)}: {count}"
            for reason, count in sorted(counts.failed.items())
        )
        grid.add_row(
            row.label,
            fmt_datetime(row.fire_at, tz),
            ROUND_STATES.get(row.state, row.state),
            str(counts.total),
            str(counts.sent),
            str(counts.pending),
            failed or "0",
        )
    return grid
