"""Delivery of notices (messages to people other than the sender) to their channels."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from bot.core.replies import Notice, Reply

log = logging.getLogger(__name__)


class ChannelSender(Protocol):
    """What a channel offers for pushing messages to a person."""

    async def send(self, user_id: str, replies: Sequence[Reply]) -> None: ...


class Notifier(Protocol):
    """Takes notices produced by handlers and gets them delivered."""

    async def deliver(self, notices: Sequence[Notice]) -> None: ...


class DirectNotifier:
    """Sends notices at once through the channels running in this process."""

    def __init__(self) -> None:
        self.senders: dict[str, ChannelSender] = {}

    def register(self, channel: str, sender: ChannelSender) -> None:
        """Make a channel reachable for notices."""
        self.senders[channel] = sender

    async def deliver(self, notices: Sequence[Notice]) -> None:
        for notice in notices:
            sender = self.senders.get(notice.channel)
            if sender is None:
                log.info("no sender for channel %s; notice not pushed", notice.channel)
                continue
            await sender.send(notice.user_id, notice.replies)
