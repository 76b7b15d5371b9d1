"""Delivery of notices (messages to people other than the sender) to their channels."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol

from bot.core.replies import Notice, Reply

log = logging.getLogger(__name__)


Pace = Callable[[], AbstractAsyncContextManager[None]]
"""Entered around each platform message: waits for the chat's and the channel's pace, and the
chat's next message is timed from when this one ended."""


class ChannelSender(Protocol):
    """What a channel offers for pushing messages to a person."""

    async def send(
        self, user_id: str, replies: Sequence[Reply], *, skip: int = 0, pace: Pace | None = None
    ) -> None:
        """Deliver `replies` as this platform's messages, leaving out the first `skip` of them
        (delivered by an earlier try), each one inside `pace()`. A failure says how many
        were delivered by then (`DeliveryError.delivered`, counting the skipped ones)."""
        ...


class Notifier(Protocol):
    """Takes notices produced by handlers and gets them delivered."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...


class SenderRegistry:
    """The channel senders running in this process, by channel name. Channels register here;
    notifiers (and the outbox sender) send through what is registered."""

    def __init__(self) -> None:
        self.senders: dict[str, ChannelSender] = {}

    def register(self, channel: str, sender: ChannelSender) -> None:
        """Make a channel reachable for notices."""
        self.senders[channel] = sender


class DirectNotifier(SenderRegistry):
    """Sends notices at once, without retries (tools and tests; the app uses the outbox)."""

    async def deliver(self, notices: Sequence[Notice]) -> None:
        for notice in notices:
            sender = self.senders.get(notice.channel)
            if sender is None:
                log.info("no sender for channel %s; notice not pushed", notice.channel)
                continue
            await sender.send(notice.user_id, notice.replies)


class DeliveryError(Exception):
    """A channel could not deliver a message; the subclass says what to do about it.

    `delivered`: how many platform messages of the push had gone out before it failed (a long
    text is split into several), so that a retry does not send them twice."""

    delivered: int = 0

    def after(self, delivered: int) -> DeliveryError:
        """This error, noting that the first `delivered` messages went out."""
        self.delivered = delivered
        return self


class RetryLater(DeliveryError):
    """Try again: after exactly `retry_after` seconds when the platform said so (429), else back
    off (5xx, time-outs). `rate_limited`: the platform refused for sending too fast (a 429, or
    a platform's own code for it such as Zalo OA's -32, which gives no wait) — what the
    429 metric counts, whatever path sent the message."""

    def __init__(
        self,
        message: str = "",
        *,
        retry_after: float | None = None,
        rate_limited: bool | None = None,
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = retry_after is not None if rate_limited is None else rate_limited


class Unreachable(DeliveryError):
    """The person cannot be reached on this channel any more (blocked the bot, left Zalo's
    consultation window, deleted account): mark them and stop retrying."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Rejected(DeliveryError):
    """The platform refused this message itself (a bug on our side): record, do not retry."""
