"""`cdsbot broadcast` (an announcement to an audience, followed to the end) and `cdsbot worker`
(the sweep and the sender in a process of their own)."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import read_text, run
from bot.scheduler.audience_spec import SPEC_HELP

if TYPE_CHECKING:
    from rich.console import Console

    from bot.app import BotApp
    from bot.core.notify import ChannelSender
    from bot.scheduler.outbox import Tally
    from bot.scheduler.sender import Sender

PULLED = frozenset({"web"})
"""Channels whose messages wait for the person to fetch them (the web page), not for a sender."""
POLL_SECONDS = 0.5


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
        bool, typer.Option(help="Theo dõi tiến độ gửi đến khi xong rồi in kết quả")
    ] = True,
    send: Annotated[
        bool,
        typer.Option(
            help="Tự gửi từ lệnh này (bên cạnh máy chủ hoặc worker đang chạy, nếu có); "
            "--no-send: chỉ theo dõi, để tiến trình khác gửi"
        ),
    ] = True,
    stall_seconds: Annotated[
        float,
        typer.Option(
            "--stall-seconds", min=1, help="Thôi theo dõi khi tiến độ đứng yên quá số giây này"
        ),
    ] = 60.0,
) -> None:
    """Gửi thông báo tới một nhóm người dùng (quản trị viên)."""
    from bot.scheduler.broadcast import normalize_message

    message = read_text(text_file)
    normalize_message(message)  # an empty or too long text stops here, before the database

    async def body(bot: BotApp) -> None:
        from rich.console import Console

        from bot.core.clock import fmt_datetime

        console = Console()
        broadcasts = bot.services.reminders.broadcasts
        plan = await broadcasts.plan(audience, active_days=active_days or None)
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
            final = await follow(bot, queued.id, console, send=send, stall_seconds=stall_seconds)
            _summary(console, final, queued.id)

    run(body)


async def follow(
    bot: BotApp, broadcast_id: int, console: Console, *, send: bool, stall_seconds: float
) -> dict[str, Tally]:
    """Show the broadcast's real progress, read from the outbox (so that messages sent by a
    running server or worker count as much as ours), until every pushed message has an outcome
    or nothing has moved for `stall_seconds`; send from here too when `send`."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from bot.scheduler.jobs import channel_senders

    broadcasts = bot.services.reminders.broadcasts
    tallies = await broadcasts.progress_by_channel(broadcast_id)
    pushed = [name for name in tallies if name not in PULLED]
    senders = (
        {name: s for name, s in channel_senders(bot).items() if name in pushed} if send else {}
    )
    elsewhere = [name for name in pushed if name not in senders]
    if elsewhere:
        console.print(
            f"Tin qua {', '.join(sorted(elsewhere))} do máy chủ hoặc worker đang chạy gửi "
            "(kênh chưa cấu hình ở lệnh này" + (")." if send else ", hoặc --no-send).")
        )
    sender = bot.services.reminders.sender(senders) if senders else None
    sending = asyncio.create_task(_keep_sending(sender)) if sender else None
    columns = (
        TextColumn("Đang gửi"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]}"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=console) as bar:
            task = bar.add_task("gửi", total=_merge(tallies, pushed).total, failed="")
            last: tuple[int, int] | None = None
            moved_at = time.monotonic()
            while True:
                state = _merge(tallies, pushed)
                failed = state.total - state.sent - state.pending
                bar.update(
                    task,
                    completed=state.total - state.pending,
                    failed=f"({failed} không gửi được)" if failed else "",
                )
                if state.done:
                    break
                if (state.sent, state.pending) != last:
                    last, moved_at = (state.sent, state.pending), time.monotonic()
                elif time.monotonic() - moved_at > stall_seconds:
                    break
                await asyncio.sleep(POLL_SECONDS)
                tallies = await broadcasts.progress_by_channel(broadcast_id)
    finally:
        if sender is not None and sending is not None:
            sender.stop()
            await sending
            await _close(senders)
    return await broadcasts.progress_by_channel(broadcast_id)


async def _keep_sending(sender: Sender) -> None:
    """Drain the outbox again and again (retries come due after their backoff) until stopped."""
    while not sender.stopping:
        await sender.drain()
        await asyncio.sleep(POLL_SECONDS)


def _merge(tallies: dict[str, Tally], channels: list[str]) -> Tally:
    from bot.scheduler.outbox import Tally

    total = Tally()
    for name in channels:
        part = tallies.get(name)
        if part is None:
            continue
        total.total += part.total
        total.sent += part.sent
        total.pending += part.pending
        for reason, count in part.failed.items():
            total.failed[reason] = total.failed.get(reason, 0) + count
    return total


def _summary(console: Console, tallies: dict[str, Tally], broadcast_id: int) -> None:
    pushed = [name for name in tallies if name not in PULLED]
    state = _merge(tallies, pushed)
    console.print(f"Kết quả: {state.sent}/{state.total} tin đã gửi, {state.pending} tin đang chờ.")
    from bot.messages import load_catalog
    from bot.scheduler.compose import reason_label

    catalog = load_catalog()
    for reason, count in sorted(state.failed.items()):
        console.print(f"  Không gửi được ({reason_label(catalog, reason)}): {count}")
    if state.pending:
        console.print(
            f"  Tin đang chờ sẽ do máy chủ hoặc worker gửi tiếp (thông báo #{broadcast_id}); "
            "chạy `cdsbot worker` nếu chưa có tiến trình nào đang chạy."
        )
    web = _merge(tallies, sorted(PULLED & set(tallies)))
    if web.total:
        console.print(
            f"  {web.total} người dùng web chat sẽ thấy thông báo khi mở trang ({web.sent} đã xem)."
        )


def worker(
    sweep: Annotated[bool, typer.Option(help="Quét các hạn, mẹo, nhắc tiến độ đến giờ")] = True,
    send: Annotated[bool, typer.Option(help="Gửi các tin trong hàng đợi")] = True,
    once: Annotated[
        bool, typer.Option("--once", help="Quét và gửi một lượt rồi thoát (dùng với cron)")
    ] = False,
) -> None:
    """Chạy bộ quét và bộ gửi như một tiến trình riêng (có thể chạy nhiều tiến trình)."""

    async def body(bot: BotApp) -> None:
        from bot.scheduler.jobs import SchedulerJobs, channel_senders

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
