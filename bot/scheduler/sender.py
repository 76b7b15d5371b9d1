"""The sender: claims due outbox rows under a lease, sends them at each channel's pace, and
records the outcome of every attempt.

Rows flow through a small pipeline: one claimer keeps a short queue topped up, `concurrency`
workers take rows from it, wait for the channel's pace, send, and hand the outcome to a recorder
that writes each outcome as soon as the previous write is done, several in one transaction
under load (so that after a crash only the rows being sent, or whose outcome was being
written, can go out twice).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial

from bot.core import reply_codec
from bot.core.choices import Menu, menu_of
from bot.core.clock import Clock
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.notify import ChannelSender, Rejected, RetryLater, Unreachable
from bot.observability import metrics
from bot.scheduler.limits import ChannelLimits, RetryPolicy
from bot.scheduler.timing import QuietHours
from bot.storage.db import Database
from bot.storage.repositories import conversations as conversation_repo
from bot.storage.repositories import outbox as outbox_repo
from bot.storage.repositories import users as user_repo
from bot.storage.repositories.outbox import Claimed, Outcome

log = logging.getLogger(__name__)


class _TakenOver(Exception):
    """The row's lease ran out while its message waited, and another sender claimed it."""


@dataclass(slots=True)
class SendStats:
    """What one drain did."""

    sent: int = 0
    retried: int = 0
    undeliverable: int = 0
    rejected: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)

    def count(self, outcome: str, reason: str | None = None) -> None:
        """Add one outcome."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        metrics.count_delivery(outcome, reason)
        if reason:
            self.reasons[reason] = self.reasons.get(reason, 0) + 1


def worker_name() -> str:
    """A name unique to this process and instance (shows who holds a claimed row)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Sender:
    """Delivers outbox rows through the channel senders registered in this process."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        senders: Mapping[str, ChannelSender],
        *,
        limits: ChannelLimits,
        policy: RetryPolicy,
        quiet: QuietHours,
        lease_seconds: float = 120.0,
        concurrency: int = 16,
        batch: int | None = None,
        max_inline_wait: float = 30.0,
    ) -> None:
        self._db = db
        self._clock = clock
        self._senders = senders
        self._limits = limits
        self._policy = policy
        self._quiet = quiet
        self._lease = timedelta(seconds=lease_seconds)
        self._concurrency = max(1, concurrency)
        self._batch = batch or 2 * self._concurrency
        self._max_inline_wait = min(max_inline_wait, lease_seconds / 2)
        self.name = worker_name()
        self._stopping = asyncio.Event()
        self._outcomes: list[Outcome] = []
        self._menus: list[tuple[str, str, Menu]] = []  # choices of delivered pushes, in order
        self._wakers: list[asyncio.Event] = []  # one per writer of outcomes / choices
        self._drained = False
        self._in_hand: set[int] = set()
        """Rows this sender holds, until their outcome is written: a row whose lease ran out
        while it waited for a busy chat comes back in this sender's own next claim, and must
        not be queued a second time (both copies would be sent)."""
        self._lost: set[int] = set()
        """Rows of `_in_hand` that the lease renewal found taken over by another sender: not
        sent by this one any more."""

    def stop(self) -> None:
        """Ask a running drain to finish the messages in hand and return."""
        self._stopping.set()

    @property
    def stopping(self) -> bool:
        """Whether `stop` was called."""
        return self._stopping.is_set()

    async def drain(self) -> SendStats:
        """Send every row due now for the channels this process can reach, then return."""
        stats = SendStats()
        channels = [name for name in self._senders]
        if not channels or self._stopping.is_set():
            return stats
        queue: asyncio.Queue[Claimed | None] = asyncio.Queue()
        workers = [asyncio.create_task(self._work(queue, stats)) for _ in range(self._concurrency)]
        self._drained = False
        recorder = asyncio.create_task(self._record_continuously())
        try:
            while not self._stopping.is_set():
                # Claim little ahead: a row waiting here holds a lease others cannot take.
                if queue.qsize() >= self._concurrency:
                    await asyncio.sleep(0.02)
                    continue
                rows = await self._claim(channels)
                if not rows:
                    break
                for row in rows:
                    if row.id in self._in_hand:
                        continue  # re-claimed by ourselves: the claim renewed its lease
                    self._in_hand.add(row.id)
                    queue.put_nowait(row)
        finally:
            for _ in workers:
                queue.put_nowait(None)
            await asyncio.gather(*workers)
            self._drained = True
            self._wake_writers()
            await recorder
        return stats

    async def _record_continuously(self) -> None:
        """Write outcomes as they come, and the pushes' choices beside them: each in its own
        loop of one transaction at a time, taking everything that arrived meanwhile.

        Two loops, because a choice is written to the person's conversation row, which a turn
        in any process may hold locked for seconds; an outcome waiting behind that lock would
        let its row's lease run out and another sender send the message a second time."""
        outcomes_written = asyncio.Event()

        async def write_outcomes() -> None:
            try:
                await self._write_continuously(
                    self._record, lambda: bool(self._outcomes), "outcomes"
                )
            finally:
                outcomes_written.set()

        await asyncio.gather(
            write_outcomes(),
            self._write_continuously(self._offer, lambda: bool(self._menus), "choices"),
            self._renew_continuously(until=outcomes_written),
        )

    async def _renew_continuously(self, *, until: asyncio.Event) -> None:
        """Renew the lease of every row in hand, a third of a lease apart, until the last
        outcome of the drain is written (`until`). A row is in hand from its claim until its
        outcome is written; a slow moment anywhere in between (a long wait for the chat's
        pace, a send that takes seconds on a loaded machine, an outcome that waits for a
        database connection) must not let its lease run out while this sender is alive, or
        another sender would take the row over and send it a second time. When this process
        dies the renewals stop and the rows are taken over within one lease."""
        period = self._lease.total_seconds() / 3
        while not until.is_set():
            try:
                await asyncio.wait_for(until.wait(), period)
                return
            except TimeoutError:
                pass
            try:
                await self._renew()
            except Exception as error:  # tried again at the next period
                log.debug("lease renewal waits for storage: %s", type(error).__name__)

    async def _renew(self) -> None:
        """One renewal of every row in hand; rows taken over meanwhile are marked lost."""
        held = sorted(self._in_hand - self._lost)
        if not held:
            return
        async with self._db.transaction() as session:
            kept = await outbox_repo.extend_leases(
                session,
                message_ids=held,
                worker=self.name,
                lease_until=self._clock.now() + self._lease,
            )
        # Not lost: rows whose outcome was written meanwhile (no longer in hand) or waits to be.
        finished = {outcome.message_id for outcome in self._outcomes}
        self._lost.update((set(held) - kept - finished) & self._in_hand)

    async def _write_continuously(
        self, write: Callable[[], Awaitable[None]], waiting: Callable[[], bool], what: str
    ) -> None:
        """Call `write` whenever something new is recordable, until the drain is over and
        nothing waits; a failed write is tried again a second later (its items are kept)."""
        event = asyncio.Event()
        self._wakers.append(event)
        try:
            while not (self._drained and not waiting()):
                await event.wait()
                event.clear()
                try:
                    await write()
                except Exception as error:
                    # Kept and written at the next try, in this drain or the next one; a row
                    # whose lease runs out before that may go out again.
                    if isinstance(error, INFRASTRUCTURE_ERRORS):
                        log.debug("%s wait for storage: %s", what, type(error).__name__)
                    else:
                        log.exception("could not record the %s of sent messages", what)
                    if self._drained:
                        return
                    await asyncio.sleep(1.0)
                    event.set()
        finally:
            self._wakers.remove(event)

    def _wake_writers(self) -> None:
        for event in self._wakers:
            event.set()

    async def _record(self) -> None:
        """Write the outcomes gathered since the last time, in one short transaction."""
        outcomes, self._outcomes = self._outcomes, []
        if not outcomes:
            return
        try:
            async with self._db.transaction() as session:
                await outbox_repo.finish_many(session, worker=self.name, outcomes=outcomes)
            written = {outcome.message_id for outcome in outcomes}
            self._in_hand -= written
            self._lost -= written
        except BaseException:
            # Kept for the next try: a sent row whose outcome is lost would go out again once
            # its lease expires.
            self._outcomes[:0] = outcomes
            raise

    async def _offer(self) -> None:
        """Make delivered pushes' choices the people's current menus, in delivery order."""
        menus, self._menus = self._menus, []
        if not menus:
            return
        try:
            async with self._db.transaction() as session:
                await conversation_repo.offer_menus(session, menus=menus)
        except BaseException:
            self._menus[:0] = menus  # kept: else a typed number would not answer the push
            raise

    async def _claim(self, channels: list[str]) -> list[Claimed]:
        now = self._clock.now()
        async with self._db.transaction() as session:
            return await outbox_repo.claim(
                session,
                channels=channels,
                now=now,
                lease_until=now + self._lease,
                worker=self.name,
                limit=self._batch,
                urgent_only=self._quiet.contains(now),
            )

    async def _work(self, queue: asyncio.Queue[Claimed | None], stats: SendStats) -> None:
        while (row := await queue.get()) is not None:
            try:
                await self._work_on(row, stats)
            finally:
                if not any(outcome.message_id == row.id for outcome in self._outcomes):
                    self._in_hand.discard(row.id)  # else once its outcome is written
                    self._lost.discard(row.id)

    async def _work_on(self, row: Claimed, stats: SendStats) -> None:
        if self._stopping.is_set():
            await self._give_back(row, 0.0, "stopped", row.parts_sent)
            return
        try:
            # A row that waited long in the queue renews its lease first, and is dropped if
            # another sender already took it over: it must not go out twice.
            if self._clock.now() > row.lease_until - self._lease / 2 and not await self._hold(row):
                log.warning("outbox row %s was taken over by another sender", row.id)
                return
            await self._deliver(row, stats)
        except INFRASTRUCTURE_ERRORS as error:
            # A storage outage while recording: the lease expires and the row is retried.
            log.debug("outbox row %s waits for storage: %s", row.id, type(error).__name__)
        except Exception:
            log.exception("could not record the outcome of outbox row %s", row.id)

    async def _deliver(self, row: Claimed, stats: SendStats) -> None:
        if row.unreachable_reason:
            self._finish(row, outbox_repo.UNDELIVERABLE, row.unreachable_reason)
            stats.count("undeliverable", row.unreachable_reason)
            return
        sender = self._senders[row.channel]
        replies = reply_codec.decode(row.payload)
        waited = 0.0
        delivered = row.parts_sent  # platform messages of this push already out
        pace = partial(self._paced_under_lease, row, [row.lease_until])
        while True:
            try:
                await sender.send(row.chat_id, replies, skip=delivered, pace=pace)
            except _TakenOver:
                log.warning("outbox row %s was taken over while it waited for its chat", row.id)
                return
            except RetryLater as error:
                delivered = max(delivered, error.delivered)
                if error.rate_limited:
                    metrics.count_rate_limited(row.channel, "outbox")
                if error.retry_after is None:
                    await self._back_off(row, str(error) or "server_error", stats, delivered)
                    return
                self._limits.pause(row.channel, error.retry_after)
                if waited + error.retry_after > self._max_inline_wait:
                    await self._give_back(row, error.retry_after, "rate_limited", delivered)
                    stats.count("retried", "rate_limited")
                    return
                waited += error.retry_after
                if not await self._hold(row):
                    return
                continue
            except Unreachable as error:
                await self._unreachable(row, error.reason)
                stats.count("undeliverable", error.reason)
            except Rejected as error:
                self._finish(row, outbox_repo.REJECTED, f"rejected: {error}"[:200])
                stats.count("rejected", "rejected")
            except Exception as error:  # a sender bug or an unmapped network error
                log.warning("send of outbox row %s failed: %r", row.id, error)
                await self._back_off(row, type(error).__name__, stats, delivered)
            else:
                menu = menu_of(replies)
                if menu:  # the person now answers "1" or "đã nhận" to this push's choices
                    self._menus.append((row.channel, row.chat_id, menu))
                self._finish(row, outbox_repo.SENT)
                stats.count("sent")
            return

    @asynccontextmanager
    async def _paced_under_lease(self, row: Claimed, lease: list[datetime]) -> AsyncIterator[None]:
        """The chat's turn for one platform message, and the row still ours when it comes: a
        message may wait long for a busy chat (the pace is shared by every process), longer
        than its lease; then the lease is renewed first, and the message is dropped if another
        sender took the row over meanwhile (it sends it, not us)."""
        async with self._limits.slot(row.channel, row.chat_id):
            if row.id in self._lost:
                raise _TakenOver
            if self._clock.now() > lease[0] - self._lease / 2:
                if not await self._hold(row):
                    raise _TakenOver
                lease[0] = self._clock.now() + self._lease
            yield

    async def _back_off(self, row: Claimed, reason: str, stats: SendStats, delivered: int) -> None:
        reason = reason[:200]
        if self._policy.exhausted(row.attempts):
            self._finish(row, outbox_repo.FAILED, f"gave up: {reason}"[:200])
            stats.count("failed", "gave_up")
            return
        delay = self._policy.backoff(row.attempts)
        # A time-out may hide a message the platform took: the retry can then reach the
        # person twice, so each one is worth a line.
        log.info("outbox row %s retried in %.1f s: %s", row.id, delay, reason)
        await self._give_back(row, delay, reason, delivered)
        stats.count("retried", "backoff")

    async def _unreachable(self, row: Claimed, reason: str) -> None:
        async with self._db.transaction() as session:
            await user_repo.update_fields(
                session, user_id=row.recipient_id, unreachable_reason=reason[:200]
            )
            await outbox_repo.finish(
                session,
                message_id=row.id,
                worker=self.name,
                status=outbox_repo.UNDELIVERABLE,
                now=self._clock.now(),
                reason=reason[:200],
            )

    def _finish(self, row: Claimed, status: str, reason: str | None = None) -> None:
        """Hand an outcome to the recorder."""
        self._outcomes.append(Outcome(row.id, status, self._clock.now(), reason))
        self._wake_writers()

    async def _give_back(self, row: Claimed, delay: float, reason: str, delivered: int) -> None:
        """Return the row for a later try, which starts after the `delivered` messages."""
        async with self._db.transaction() as session:
            await outbox_repo.retry_at(
                session,
                message_id=row.id,
                worker=self.name,
                available_at=self._clock.now() + timedelta(seconds=delay),
                reason=reason,
                parts_sent=delivered,
            )

    async def _hold(self, row: Claimed) -> bool:
        """Renew the lease on a row; False if another sender has taken it."""
        async with self._db.transaction() as session:
            return await outbox_repo.extend_lease(
                session,
                message_id=row.id,
                worker=self.name,
                lease_until=self._clock.now() + self._lease,
            )
