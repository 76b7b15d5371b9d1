"""`cdsbot broadcast` (an announcement to an audience) and `cdsbot worker` (the sweep and the
sender in a process of their own)."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from bot.app import BotApp
from bot.cli._common import fail, run
from bot.core.clock import fmt_datetime
from bot.core.notify import ChannelSender
from bot.messages import load_catalog
from bot.scheduler.audience import SPEC_HELP, BadAudience
from bot.scheduler.broadcast import BadBroadcast, normalize_message
from bot.scheduler.compose import reason_label
from bot.scheduler.jobs import SchedulerJobs, channel_senders
from bot.scheduler.outbox import Tally


def broadcast(
    audience: Annotated[str, typer.Option(help=SPEC_HELP)],
    text_file: Annotated[
        Path,
        typer.Option(exists=True, dir_okay=False, help="Tệp văn bản UTF-8 chứa nội dung thông báo"),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Chỉ cho biết số người sẽ nhận")
    ] = False,
    urgent: Annotated[bool, typer.Option(help="Gửi cả trong giờ yên lặng (21:00–07:00)")] = False,
    active_days: Annotated[
        int, typer.Option(help="Chỉ gửi người đã nhắn cho Trợ lý trong N ngày qua (0: mọi người)")
    ] = 0,
    wait: Annotated[
        bool, typer.Option(help="Gửi ngay trong lệnh này và theo dõi đến khi xong")
    ] = True,
) -> None:
    """Gửi thông báo tới một nhóm người dùng (quản trị viên)."""
    message = text_file.read_text(encoding="utf-8-sig")
    try:
        normalize_message(message)
    except BadBroadcast as error:
        fail(str(error))
    console = Console()

    async def body(bot: BotApp) -> None:
        broadcasts = bot.services.reminders.broadcasts
        try:
            plan = await broadcasts.plan(audience, active_days=active_days or None)
        except BadAudience as error:
            fail(str(error))
            return
        channels = ", ".join(f"{name}: {count}" for name, count in sorted(plan.by_channel.items()))
        console.print(
            f"Đối tượng: {plan.description} — {plan.recipients} người"
            + (f" ({channels})" if channels else "")
            + "."
        )
        if plan.unreachable:
            console.print(
                f"Trong đó {plan.unreachable} người đã chặn Trợ lý hoặc ngoài thời hạn "
                "nhắn tin: họ sẽ được ghi là không gửi được."
            )
        if dry_run or not plan.recipients:
            console.print("Chạy thử: chưa gửi gì." if dry_run else "Không có ai để gửi.")
            return
        queued = await broadcasts.send(
            plan, message, urgent=urgent, active_days=active_days or None
        )
        console.print(f"Đã xếp hàng {queued.queued} tin (mã thông báo #{queued.id}).")
        now = bot.services.clock.now()
        if queued.release_at > now:
            console.print(
                f"Đang trong giờ yên lặng: tin sẽ được gửi từ "
                f"{fmt_datetime(queued.release_at, bot.settings.tz)}."
            )
            return
        if wait:
            final = await _send_and_follow(bot, queued.id, console)
            _summary(console, final)

    run(body)


async def _send_and_follow(bot: BotApp, broadcast_id: int, console: Console) -> Tally:
    """Run a sender here and show a progress bar until every message it can send has an
    outcome (web-chat users fetch theirs when they open the page)."""
    broadcasts = bot.services.reminders.broadcasts
    senders = channel_senders(bot)
    everything = await broadcasts.progress_of(broadcast_id)
    state = await broadcasts.progress_of(broadcast_id, senders)
    if state.total < everything.total:
        console.print(
            f"{everything.total - state.total} tin dành cho web chat hoặc kênh chưa cấu "
            "hình ở máy này: chúng chờ người dùng mở trang hoặc tiến trình gửi khác."
        )
    if not state.total:
        return everything
    sender = bot.services.reminders.sender(senders)
    columns = (TextColumn("Đang gửi"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("gửi", total=state.total)
        while not state.done:
            drained = asyncio.create_task(sender.drain())
            while not drained.done():
                state = await broadcasts.progress_of(broadcast_id, senders)
                bar.update(task, completed=state.total - state.pending)
                await asyncio.sleep(0.5)
            await drained
            state = await broadcasts.progress_of(broadcast_id, senders)
            bar.update(task, completed=state.total - state.pending)
            if not state.done:
                await asyncio.sleep(1.0)  # retries wait for their backoff
    return await broadcasts.progress_of(broadcast_id)


def _summary(console: Console, state: Tally) -> None:
    console.print(f"Kết quả: {state.sent}/{state.total} tin đã gửi, {state.pending} tin đang chờ.")
    for reason, count in sorted(state.failed.items()):
        console.print(f"  Không gửi được ({reason_label(load_catalog(), reason)}): {count}")


def worker(
    sweep: Annotated[bool, typer.Option(help="Quét các hạn, mẹo, nhắc tiến độ đến giờ")] = True,
    send: Annotated[bool, typer.Option(help="Gửi các tin trong hàng đợi")] = True,
    once: Annotated[
        bool, typer.Option("--once", help="Quét và gửi một lượt rồi thoát (dùng với cron)")
    ] = False,
) -> None:
    """Chạy bộ quét và bộ gửi như một tiến trình riêng (có thể chạy nhiều tiến trình)."""

    async def body(bot: BotApp) -> None:
        senders = channel_senders(bot) if send else {}
        if send and not senders:
            typer.echo(
                "Chưa cấu hình kênh nào để gửi (Telegram, Zalo): chỉ chạy bộ quét.", err=True
            )
        jobs = SchedulerJobs(bot, senders, sweep=sweep, send=send)
        if once:
            await jobs.run_once()
            await _close(senders)
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        jobs.start()
        typer.echo(f"Đang chạy ({jobs.sender.name}). Ctrl+C để dừng.")
        await stop.wait()
        await jobs.stop()
        await _close(senders)

    run(body)


async def _close(senders: dict[str, ChannelSender]) -> None:
    """Release the channels' HTTP connections."""
    for channel_sender in senders.values():
        close = getattr(channel_sender, "close", None)
        if close is not None:
            await close()
