"""`services.reminders`: deadlines, daily tips, broadcasts, the outbox notifier, the web inbox
and the sweep, built once from the settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core import reply_codec
from bot.core.choices import menu_of
from bot.core.clock import Clock
from bot.core.notify import ChannelSender
from bot.core.replies import Reply
from bot.messages import Catalog, load_catalog
from bot.scheduler.audience import ProgressSource
from bot.scheduler.broadcast import BroadcastService
from bot.scheduler.deadlines import DeadlineService
from bot.scheduler.limits import ChannelLimits, RetryPolicy, rates_from
from bot.scheduler.notifier import OutboxNotifier
from bot.scheduler.sender import Sender
from bot.scheduler.shared_pace import limits_for
from bot.scheduler.sweep import Sweeper, SweepRules, TipSource
from bot.scheduler.timing import QuietHours
from bot.scheduler.tips import TipService
from bot.storage.db import Database
from bot.storage.models import DeadlineAck, OutboxMessage, TipSubscription
from bot.storage.repositories import conversations as conversation_repo
from bot.storage.repositories import deadlines as deadline_repo
from bot.storage.repositories import outbox as outbox_repo
from bot.storage.repositories import pace as pace_repo
from bot.storage.repositories import tips as tip_repo
from bot.storage.repositories.records import rows_as_dicts

WEB = "web"


@dataclass(frozen=True, slots=True)
class Inbox:
    """What a web page's poll gets: the replies to show and the ids of the messages they came
    from, which the page sends back as `seen` once it has shown them."""

    replies: list[Reply]
    ids: list[int]


class ReminderService:
    """Everything scheduled: what handlers, the CLI, the web inbox and the jobs use."""

    def __init__(
        self, db: Database, clock: Clock, settings: Settings, t: Catalog | None = None
    ) -> None:
        self._db = db
        self._clock = clock
        self.settings = settings
        t = t or load_catalog(settings.address_form)
        self.quiet = QuietHours(settings.quiet_hours_start, settings.quiet_hours_end, settings.tz)
        self.deadlines = DeadlineService(
            db, clock, t, tz=settings.tz, morning_hour=settings.reminder_morning_hour
        )
        self.tips = TipService(db, clock, self.quiet, default_hour=settings.tip_default_hour)
        self.broadcasts = BroadcastService(db, clock, t, self.quiet)
        self.notifier = OutboxNotifier(db, clock, self.quiet)
        self.limits = limits_for(db, rates_from(settings))
        """The sending pace per channel and chat, shared by the outbox sender and the channels'
        replies (a turn's replies and a push to the same person take turns): on PostgreSQL
        across every process of the deployment (`SharedLimits`), on SQLite in this process."""
        self.sweeper = Sweeper(
            db,
            clock,
            t,
            SweepRules(
                tz=settings.tz,
                quiet=self.quiet,
                nudges_enabled=settings.nudges_enabled,
                nudge_weekday=settings.nudge_weekday,
                nudge_hour=settings.nudge_hour,
                pull_ttl=timedelta(days=settings.web_session_ttl_days),
            ),
        )

    def connect(
        self, *, progress: ProgressSource | None = None, tips: TipSource | None = None
    ) -> None:
        """Give the scheduler the quiz progress and the daily tips (other features)."""
        if progress is not None:
            self.deadlines.progress = self.broadcasts.progress = progress
            self.sweeper.progress = progress
        if tips is not None:
            self.sweeper.tips = tips

    def sender(
        self,
        senders: Mapping[str, ChannelSender],
        *,
        limits: ChannelLimits | None = None,
        policy: RetryPolicy | None = None,
        concurrency: int | None = None,
        max_inline_wait: float = 30.0,
        lease_seconds: float | None = None,
    ) -> Sender:
        """An outbox sender for these channel senders, paced and retried as configured (or as
        given: tests and benchmarks)."""
        settings = self.settings
        return Sender(
            self._db,
            self._clock,
            senders,
            limits=limits or limits_for(self._db, rates_from(settings)),
            policy=policy
            or RetryPolicy(
                settings.retry_base_seconds,
                settings.retry_cap_seconds,
                settings.outbox_max_attempts,
            ),
            quiet=self.quiet,
            lease_seconds=lease_seconds or settings.outbox_lease_seconds,
            concurrency=concurrency or settings.sender_concurrency,
            max_inline_wait=max_inline_wait,
        )

    async def forget_idle_pace(self, *, older_than: timedelta = timedelta(hours=1)) -> int:
        """Delete the shared pace of chats not sent to for `older_than` (housekeeping)."""
        async with self._db.connection() as connection:
            return await pace_repo.forget_idle(connection, before=self._clock.now() - older_than)

    async def inbox(self, web_user_id: str, *, seen: Sequence[int] | None = None) -> Inbox:
        """Pushed messages waiting for a web-chat user (the page polls for them).

        `seen`: the ids of the messages the page has shown since its last poll; they are marked
        sent, and every other waiting message is handed out (again) until the page confirms
        it, so a page closed or reloaded while an answer was on its way loses nothing. None: a
        page from before confirmations, which gets each message once (marked sent at once)."""
        now = self._clock.now()
        async with self._db.transaction() as session:
            if seen is None:
                bodies = await outbox_repo.take_for_chat(
                    session, channel=WEB, chat_id=web_user_id, now=now
                )
                ids: list[int] = []
            else:
                await outbox_repo.confirm_pulled(
                    session, channel=WEB, chat_id=web_user_id, ids=seen, now=now
                )
                waiting = await outbox_repo.waiting_for_chat(
                    session, channel=WEB, chat_id=web_user_id, now=now
                )
                ids = [row_id for row_id, _ in waiting]
                bodies = [body for _, body in waiting]
            replies = [reply for body in bodies for reply in reply_codec.decode(body)]
            menu = menu_of(replies)
            if menu:  # shown below the conversation: a typed "1" answers these choices now
                await conversation_repo.offer_menus(session, menus=[(WEB, web_user_id, menu)])
        return Inbox(replies, ids)

    async def erase(self, session: AsyncSession, user_id: int) -> None:
        """Personal-data eraser: subscriptions, acknowledgements, messages to the person and
        messages to others about them (a manager's confirmation request)."""
        await tip_repo.unsubscribe(session, user_id=user_id)
        await deadline_repo.delete_acks_of(session, user_id=user_id)
        await outbox_repo.delete_for_user(session, user_id=user_id)
        await outbox_repo.delete_about_user(session, user_id=user_id)

    async def export(self, session: AsyncSession, user_id: int) -> dict[str, Any]:
        """Personal-data export: the daily-tip subscription, acknowledgements and every message
        queued or sent to the person, as stored."""
        return {
            "tip_subscription": await rows_as_dicts(
                session, TipSubscription, TipSubscription.user_id == user_id
            ),
            "acknowledgements": await rows_as_dicts(
                session, DeadlineAck, DeadlineAck.user_id == user_id
            ),
            "messages": await rows_as_dicts(
                session, OutboxMessage, OutboxMessage.recipient_id == user_id
            ),
        }
