"""Notices produced by handlers (a nominator told of a decision, …) delivered through the outbox,
with the same retries, limits and quiet hours as every other push."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence

from bot.core.clock import Clock
from bot.core.notify import SenderRegistry
from bot.core.replies import Notice
from bot.scheduler.outbox import Purpose, Push, add
from bot.scheduler.timing import QuietHours
from bot.storage.db import Database
from bot.storage.repositories import users as user_repo
from bot.storage.repositories.audience import Person

log = logging.getLogger(__name__)


class OutboxNotifier(SenderRegistry):
    """Writes each notice to the outbox; the sender delivers it. Channels still register their
    senders here so that the sender in this process can use them."""

    def __init__(self, db: Database, clock: Clock, quiet: QuietHours) -> None:
        super().__init__()
        self._db = db
        self._clock = clock
        self._quiet = quiet
        self.on_queued: Callable[[], None] | None = None

    async def deliver(self, notices: Sequence[Notice]) -> None:
        """Queue notices (one transaction, or the open turn's); wakes the local sender, if one
        is running, once they are committed."""
        if not notices:
            return
        now = self._clock.now()
        async with self._db.transaction() as session:
            pushes = []
            for notice in notices:
                user = await user_repo.find(
                    session, channel=notice.channel, external_id=notice.user_id
                )
                if user is None:
                    # Platforms let a bot write only to people who wrote to it first.
                    log.warning(
                        "notice for unknown account %s:%s not queued",
                        notice.channel,
                        notice.user_id,
                    )
                    continue
                person = Person(
                    user.id, user.channel, user.external_id, user.unit_id, user.full_name
                )
                pushes.append(Push(person, tuple(notice.replies), uuid.uuid4().hex))
            await add(session, Purpose.NOTICE, pushes, at=now, urgent=False, quiet=self._quiet)
        if self.on_queued is not None:
            self._db.after_commit(self.on_queued)
