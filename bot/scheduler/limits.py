"""Sending pace per channel (overall and per chat) and the retry policy."""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from bot.config import Settings


@dataclass(frozen=True, slots=True)
class Rate:
    """Messages per second a channel accepts overall and per chat."""

    overall: float
    per_chat: float


def rates_from(settings: Settings) -> dict[str, Rate]:
    """The configured rates of every push channel (Zalo's apply to both Zalo integrations)."""
    telegram = Rate(settings.telegram_rate_per_second, settings.telegram_rate_per_chat)
    zalo = Rate(settings.zalo_rate_per_second, settings.zalo_rate_per_chat)
    return {"telegram": telegram, "zalo_bot": zalo, "zalo_oa": zalo}


HEADROOM = 0.97
"""Share of a platform's limit we pace at: platforms count in sliding windows on their own
clock, so a sender at exactly the limit is refused whenever network jitter bunches two
messages; 3 % of headroom absorbs one bunched message per second."""


class Pacer:
    """Gives out sending slots `1/rate` apart, first come first served.

    Not a token bucket: a bucket lets a sender that was held up (a busy event loop) catch up
    with a burst, and platforms that count in sliding windows (Telegram's ~30/s) answer bursts
    with 429. Here the next slot is one interval after the moment the previous sender really
    went, except that timer lateness under a tenth of an interval is forgiven so that it does
    not slow the pace down.
    """

    def __init__(self, rate: float) -> None:
        self._interval = 1 / rate
        self._forgiven = self._interval / 10
        self._next = 0.0
        self._turn = asyncio.Lock()

    async def wait(self) -> None:
        """Wait for the next slot."""
        async with self._turn:  # one sender at a time: a stall cannot release a crowd
            loop = asyncio.get_running_loop()
            slot = max(loop.time(), self._next)
            if slot > loop.time():
                await asyncio.sleep(slot - loop.time())
            self._next = max(slot, loop.time() - self._forgiven) + self._interval


@dataclass(slots=True)
class _ChatPace:
    """One chat's turn: one message at a time, the next one `interval` after the last ended."""

    interval: float
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    free_at: float = 0.0


class ChannelLimits:
    """Waits before each message so that no channel is sent more than it allows: a pacer for the
    channel overall, a turn per chat, and a pause of exactly `retry_after` after a 429.

    Per chat, the next message starts one interval after the previous one *ended* (its answer
    came back), not after it started: the platform counts messages when they arrive, so a slow
    first request followed by a fast one would otherwise land closer together than allowed.
    Replies to a person and pushes to them share the same turn (one instance per process)."""

    shared = False
    """Whether the pace holds across processes (`SharedLimits`); this one is the process's own."""

    def __init__(self, rates: dict[str, Rate], *, max_chats: int = 10_000) -> None:
        self._rates = rates
        self._overall = {
            name: Pacer(rate.overall * HEADROOM) for name, rate in rates.items() if rate.overall > 0
        }
        self._chats: OrderedDict[tuple[str, str], _ChatPace] = OrderedDict()
        self._max_chats = max_chats
        self._paused_until: dict[str, float] = {}

    async def acquire(self, channel: str, chat_id: str) -> None:
        """Wait until one more message may go to `chat_id` on `channel` (and take that slot)."""
        async with self.slot(channel, chat_id):
            pass

    @asynccontextmanager
    async def slot(self, channel: str, chat_id: str) -> AsyncIterator[None]:
        """Hold the chat's turn for one platform call: wait for it, send inside, and the chat's
        next message waits one interval from the moment this block is left."""
        rate = self._rates.get(channel)
        chat = (
            self._chat_pace(channel, chat_id, rate.per_chat)
            if rate is not None and rate.per_chat > 0
            else None
        )
        if chat is None:
            await self._channel_turn(channel)
            yield
            return
        async with chat.turn:
            loop = asyncio.get_running_loop()
            if chat.free_at > loop.time():
                await asyncio.sleep(chat.free_at - loop.time())
            await self._channel_turn(channel)
            try:
                yield
            finally:
                chat.free_at = loop.time() + chat.interval

    async def _channel_turn(self, channel: str) -> None:
        pacer = self._overall.get(channel)
        while True:
            await self._wait_pause(channel)
            if pacer is not None:
                await pacer.wait()
            # A 429 that arrived while we waited for our slot: wait it out and take a new slot,
            # rather than going out together with everyone released by the pause.
            if not self._paused(channel):
                return

    def pause(self, channel: str, seconds: float) -> None:
        """Stop sending on `channel` for `seconds` (a 429's retry_after)."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        self._paused_until[channel] = max(until, self._paused_until.get(channel, 0.0))

    def _paused(self, channel: str) -> bool:
        return self._paused_until.get(channel, 0.0) > asyncio.get_running_loop().time()

    async def _wait_pause(self, channel: str) -> None:
        loop = asyncio.get_running_loop()
        while True:  # the pause may be extended by another 429 while we wait
            remaining = self._paused_until.get(channel, 0.0) - loop.time()
            if remaining <= 0:
                return
            await asyncio.sleep(remaining)

    def _chat_pace(self, channel: str, chat_id: str, per_chat: float) -> _ChatPace:
        key = (channel, chat_id)
        pace = self._chats.get(key)
        if pace is None:
            pace = self._chats[key] = _ChatPace(1 / (per_chat * HEADROOM))
            if len(self._chats) > self._max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(key)
        return pace


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Exponential backoff with jitter and a cap, and when to give up."""

    base_seconds: float = 2.0
    cap_seconds: float = 600.0
    max_attempts: int = 8

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failure (1-based): half fixed, half random."""
        ceiling = min(self.cap_seconds, self.base_seconds * 2 ** max(0, attempt - 1))
        return ceiling / 2 + random.random() * ceiling / 2

    def exhausted(self, attempts: int) -> bool:
        """Whether a row that failed `attempts` times should be given up."""
        return attempts >= self.max_attempts
