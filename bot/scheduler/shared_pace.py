"""One platform rate for the whole deployment: the pace of every process on one PostgreSQL kept
in the database, so that three senders (and the replies of every web process) together stay
within what the platform allows overall and per chat.

Each platform message reserves a slot in one round trip (`send_pace_reserve`, migration 0012):
when its chat is free, the channel's next overall slot, and the chat is held until one interval
(plus a hold while the message is in flight) after it; when the chat is busy nothing is taken
and the caller asks again when it is free, so a busy chat never holds the others up. Overall
slots are handed out on the database's clock, one interval apart, first come first served, so a
process whose event loop is late does not make the others late nor let them catch up with a
burst. After the platform answered, the chat's hold is released and its next slot is one
interval after that answer (platforms count a message when it arrives). A 429 pauses the
channel for every process. In a process, messages to one chat still wait their turn in memory
(as with `ChannelLimits`), so a chat's queue does not reserve slots far ahead.

Replies sent directly in turns (not through the outbox) reserve their slots here too: they
count against the overall rate and share the chat's pace with the pushes, whichever process
sends them. SQLite deployments are one process and keep `ChannelLimits` (memory only).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.scheduler.limits import HEADROOM, ChannelLimits, Rate
from bot.storage.db import Database
from bot.storage.repositories import pace as pace_repo

log = logging.getLogger(__name__)

SHARED_HEADROOM = 0.9
"""Share of a platform's overall limit that several processes pace at together. Their slots are
handed out on the database's clock, but each process sends its message after its own wake-up,
connection and request time, so arrivals at the platform bunch more than one process's do
(`HEADROOM`): with 0.97, three senders at 200/s on two loaded cores drew 3–7 × 429 from a
platform counting in a sliding second (tests/scheduler/test_scale_out.py); 0.9 leaves room for
that jitter."""

LATE = 0.05
"""Seconds after its slot beyond which a message does not go out but asks for a new slot."""

BUSY_POLL = 0.25
"""Seconds between two asks for a chat held by another process's message in flight."""


class SharedLimits(ChannelLimits):
    """`ChannelLimits` whose overall and per-chat pace hold across processes (PostgreSQL)."""

    shared = True

    def __init__(self, db: Database, rates: dict[str, Rate], *, max_chats: int = 10_000) -> None:
        super().__init__(rates, max_chats=max_chats)
        self._db = db
        self._pauses: set[asyncio.Task[None]] = set()

    @asynccontextmanager
    async def slot(self, channel: str, chat_id: str) -> AsyncIterator[None]:
        """Hold the chat's turn for one platform call, with slots reserved in the database."""
        rate = self._rates.get(channel)
        if rate is None:
            yield
            return
        overall = 1 / (rate.overall * SHARED_HEADROOM) if rate.overall > 0 else 0.0
        per_chat = 1 / (rate.per_chat * HEADROOM) if rate.per_chat > 0 else 0.0
        turn = self._chat_pace(channel, chat_id, rate.per_chat).turn if per_chat else None
        async with turn if turn is not None else _nothing():
            while True:
                await self._wait_pause(channel)  # a 429 seen by this process
                async with self._db.connection(autocommit=True) as connection:
                    wait, reserved = await pace_repo.reserve(
                        connection,
                        channel=channel,
                        chat_id=chat_id,
                        overall_interval=overall,
                        chat_interval=per_chat,
                    )
                if not reserved:  # the chat is busy (held by a message in flight): ask again soon
                    await asyncio.sleep(min(max(wait, 0.01), BUSY_POLL))
                    continue
                if wait > 0:
                    due = time.monotonic() + wait
                    await asyncio.sleep(wait)
                    if time.monotonic() - due > LATE:
                        # Woke too late (a busy loop): going now would land on later slots and
                        # bunch at the platform. Give the slot up, free the chat, ask again.
                        if per_chat:
                            async with self._db.connection(autocommit=True) as connection:
                                await pace_repo.ended(
                                    connection, channel=channel, chat_id=chat_id, interval=0.0
                                )
                        continue
                if not self._paused(channel):
                    break
            try:
                yield
            finally:
                if per_chat:
                    async with self._db.connection(autocommit=True) as connection:
                        await pace_repo.ended(
                            connection, channel=channel, chat_id=chat_id, interval=per_chat
                        )

    def pause(self, channel: str, seconds: float) -> None:
        """Stop sending on `channel` for `seconds` here and, through the database, everywhere."""
        super().pause(channel, seconds)
        task = asyncio.get_running_loop().create_task(self._pause_everywhere(channel, seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)

    async def _pause_everywhere(self, channel: str, seconds: float) -> None:
        try:
            async with self._db.connection(autocommit=True) as connection:
                await pace_repo.pause(connection, channel=channel, seconds=max(0.0, seconds))
        except Exception as error:  # the local pause still holds; others see their own 429
            log.warning("could not share a pause of %s: %r", channel, error)


@asynccontextmanager
async def _nothing() -> AsyncIterator[None]:
    yield


def limits_for(db: Database, rates: dict[str, Rate]) -> ChannelLimits:
    """The pace of this deployment: shared through PostgreSQL, in memory on SQLite."""
    if db.dialect == "postgresql":
        return SharedLimits(db, rates)
    return ChannelLimits(rates)
