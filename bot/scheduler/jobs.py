"""The sweep and the sender as APScheduler jobs in the running event loop — started by the web
server's lifespan (`settings.scheduler_enabled`) or by `cdsbot worker`."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.notify import ChannelSender, SenderRegistry
from bot.observability import metrics
from bot.scheduler.retention import Retention, RetentionPolicy
from bot.scheduler.sender import Sender

if TYPE_CHECKING:
    from bot.app import BotApp

log = logging.getLogger(__name__)


def channel_senders(app: BotApp) -> dict[str, ChannelSender]:
    """The push channels this process can send on: those registered by the running channels,
    or else those configured in the settings (a worker process runs no channel of its own)."""
    registry = app.notifier
    if not isinstance(registry, SenderRegistry):
        return {}
    if not registry.senders:
        from bot.channels.setup import ChannelSet

        ChannelSet.from_app(app)  # builds the configured channels; they register their senders
    return dict(registry.senders)


class SchedulerJobs:
    """Runs the sweep every `sweep_interval_seconds` and drains the outbox every
    `sender_interval_seconds` (and at once when a notice is queued)."""

    def __init__(
        self,
        app: BotApp,
        senders: Mapping[str, ChannelSender],
        *,
        sweep: bool = True,
        send: bool = True,
    ) -> None:
        self._app = app
        reminders = app.services.reminders
        self._reminders = reminders
        self.sender: Sender = reminders.sender(senders, limits=reminders.limits)
        self._sweep_enabled = sweep
        self._send_enabled = send and bool(senders)
        self._scheduler: AsyncIOScheduler | None = None
        self._running: set[asyncio.Task[object]] = set()
        self._busy: set[str] = set()
        self._retention = Retention(
            app.db, app.services.clock, RetentionPolicy.from_settings(app.settings)
        )
        self.heartbeat = time.monotonic()  # when a job last finished (readiness, /readyz)

    def start(self) -> None:
        """Add the jobs and start the scheduler (inside a running event loop)."""
        settings = self._app.settings
        scheduler = AsyncIOScheduler(timezone=settings.tz)
        now = datetime.now(settings.tz)

        def every(job: Any, job_id: str, **interval: float) -> None:
            # One run at a time (a second instance returns at once, see `_tracked`, so that
            # APScheduler does not warn of a skipped run every interval while storage hangs);
            # missed runs collapse into one; the first run is now.
            scheduler.add_job(
                job,
                "interval",
                id=job_id,
                max_instances=2,
                coalesce=True,
                next_run_time=now,
                **interval,
            )

        if self._sweep_enabled:
            every(self.sweep, "sweep", seconds=settings.sweep_interval_seconds)
            every(self.housekeeping, "housekeeping", hours=1)
        if self._send_enabled:
            every(self.send, "send", seconds=settings.sender_interval_seconds)
            self._reminders.notifier.on_queued = self.wake
        scheduler.start()
        self._scheduler = scheduler
        log.info(
            "scheduler started (sweep=%s, send=%s as %s)",
            self._sweep_enabled,
            self._send_enabled,
            self.sender.name,
        )

    async def run_once(self) -> None:
        """One sweep and one drain, without the scheduler (`cdsbot worker --once`, cron)."""
        if self._sweep_enabled:
            await self._sweep()
            await self._housekeeping()
        if self._send_enabled:
            await self._send()

    def wake(self) -> None:
        """Run the sender now rather than at its next interval."""
        if self._scheduler is not None and self._send_enabled:
            self._scheduler.modify_job("send", next_run_time=datetime.now(self._app.settings.tz))

    async def sweep(self) -> None:
        """Job: one sweep."""
        await self._tracked("sweep", self._sweep)

    async def housekeeping(self) -> None:
        """Job: forget processed-update ids older than any redelivery, logged questions past
        their retention and web-session counters of past windows."""
        await self._tracked("housekeeping", self._housekeeping)

    async def _housekeeping(self) -> None:
        services = self._app.services
        pruned = await self._retention.run()
        if pruned:
            log.info("retention deleted %s", pruned)
        await services.web_sessions.forget_old_quota()
        await self._reminders.forget_idle_pace()

    async def send(self) -> None:
        """Job: drain the outbox."""
        await self._tracked("send", self._send)

    async def _sweep(self) -> None:
        with metrics.timed_sweep():
            report = await self._reminders.sweeper.run()
        if report.messages or report.tips or report.nudges or report.expired:
            log.info("sweep queued %s", report)

    async def _send(self) -> None:
        stats = await self.sender.drain()
        if stats.sent or stats.retried or stats.failed or stats.undeliverable or stats.rejected:
            log.info("sender: %s", stats)

    async def _tracked(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        if name in self._busy:
            return  # the previous run is still going (e.g. waiting for storage)
        task = asyncio.current_task()
        assert task is not None
        self._running.add(task)
        self._busy.add(name)
        try:
            await work()
        except INFRASTRUCTURE_ERRORS as error:
            # The database logs when it goes down and when it is back; not every second here.
            log.debug("scheduled job waits for storage: %s", type(error).__name__)
        except Exception:
            log.exception("scheduled job failed; it runs again at its next interval")
        finally:
            self._busy.discard(name)
            self._running.discard(task)
            self.heartbeat = time.monotonic()

    def alive(self, *, within_s: float) -> bool:
        """Whether the scheduler runs and one of its jobs finished within `within_s` (a job
        waiting for storage returns at once, so only a stuck scheduler goes quiet)."""
        scheduler = self._scheduler
        return (
            scheduler is not None
            and scheduler.running
            and time.monotonic() - self.heartbeat <= within_s
        )

    async def stop(self, grace_seconds: float = 30.0) -> None:
        """Stop claiming, let messages in hand finish, then stop the scheduler."""
        self._reminders.notifier.on_queued = None
        self.sender.stop()
        if self._scheduler is not None:
            self._scheduler.pause()
        running = [task for task in self._running if not task.done()]
        if running:
            await asyncio.wait(running, timeout=grace_seconds)
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
