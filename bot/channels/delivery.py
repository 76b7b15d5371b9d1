"""Sending a turn's replies back to the person at the platform's pace, shared by the channels."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from bot.core.notify import DeliveryError, RetryLater
from bot.core.replies import Reply
from bot.observability import metrics
from bot.scheduler.limits import ChannelLimits

log = logging.getLogger(__name__)

MAX_WAIT = 10.0
"""Longest wait for one retry of a reply (the person is waiting for it)."""


async def send_paced(
    sender: Any,
    channel: str,
    chat_id: str,
    replies: Sequence[Reply],
    *,
    limits: ChannelLimits,
    attempts: int = 3,
    **options: Any,
) -> None:
    """Send `replies` through a channel sender, each platform message in the chat's turn of
    `limits` (the same pace the outbox keeps, so replies and pushes never crowd a chat). A 429
    is waited out (exactly `retry_after`) and sending resumes after what was delivered. A reply
    still failing for a passing reason raises `RetryLater`, so that the platform delivers the
    update again and the turn's kept replies go out then; a refusal for good is logged. A 429
    is counted in the metrics and pauses the channel for every sender, as in the outbox."""
    if not replies:
        return
    pace = partial(limits.slot, channel, chat_id)
    delivered = 0
    for attempt in range(attempts):
        try:
            await sender.send(chat_id, replies, skip=delivered, pace=pace, **options)
            return
        except RetryLater as error:
            delivered = max(delivered, error.delivered)
            if error.rate_limited:
                metrics.count_rate_limited(channel, "reply")
            if error.retry_after is not None:  # every sender of the deployment waits it out
                limits.pause(channel, error.retry_after)
            if attempt == attempts - 1:
                log.warning(
                    "%s reply not delivered, update kept for redelivery: %s", channel, error
                )
                raise
            wait = error.retry_after if error.retry_after is not None else 0.5 * 2**attempt
            await asyncio.sleep(min(wait, MAX_WAIT))
        except DeliveryError as error:
            log.warning("%s reply refused: %s: %s", channel, type(error).__name__, error)
            return
