"""Sending pace per channel (overall and per chat, with aiolimiter) and the retry policy."""

from __future__ import annotations

import asyncio
import random
from collections import OrderedDict
from dataclasses import dataclass

from aiolimiter import AsyncLimiter

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
    return {"telegram": telegram, "zalo": zalo, "zalo_oa": zalo}


class ChannelLimits:
    """Waits before each message so that no channel is sent more than it allows.

    The overall limiter holds no burst (one message every 1/rate seconds): platforms count in
    sliding windows, so a leaky bucket that starts full would overshoot in its first second.
    A 429 pauses the whole channel for exactly the `retry_after` it named.
    """

    def __init__(self, rates: dict[str, Rate], *, max_chats: int = 10_000) -> None:
        self._rates = rates
        self._overall = {name: AsyncLimiter(1, 1 / rate.overall)
                         for name, rate in rates.items() if rate.overall > 0}
        self._chats: OrderedDict[tuple[str, str], AsyncLimiter] = OrderedDict()
        self._max_chats = max_chats
        self._paused_until: dict[str, float] = {}

    async def acquire(self, channel: str, chat_id: str) -> None:
        """Wait until one more message may go to `chat_id` on `channel`."""
        await self._wait_pause(channel)
        rate = self._rates.get(channel)
        if rate is None:
            return
        if rate.per_chat > 0:
            await self._chat_limiter(channel, chat_id, rate.per_chat).acquire()
        overall = self._overall.get(channel)
        if overall is not None:
            await overall.acquire()
        await self._wait_pause(channel)

    def pause(self, channel: str, seconds: float) -> None:
        """Stop sending on `channel` for `seconds` (a 429's retry_after)."""
        until = asyncio.get_running_loop().time() + max(0.0, seconds)
        self._paused_until[channel] = max(until, self._paused_until.get(channel, 0.0))

    async def _wait_pause(self, channel: str) -> None:
        loop = asyncio.get_running_loop()
        while (until := self._paused_until.get(channel, 0.0)) > loop.time():
            await asyncio.sleep(until - loop.time())

    def _chat_limiter(self, channel: str, chat_id: str, per_chat: float) -> AsyncLimiter:
        key = (channel, chat_id)
        limiter = self._chats.get(key)
        if limiter is None:
            limiter = self._chats[key] = AsyncLimiter(1, 1 / per_chat)
            if len(self._chats) > self._max_chats:
                self._chats.popitem(last=False)
        else:
            self._chats.move_to_end(key)
        return limiter


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
