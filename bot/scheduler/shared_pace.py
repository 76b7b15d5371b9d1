"""One platform rate for the whole deployment: the pace of every process on one PostgreSQL kept
in the database, so that three senders (and the replies of every web process) together stay
within what the platform allows overall and per chat.

Each platform message reserves in one round trip (`send_pace_take`, migration 0015), when its
chat is free: the channel's next overall slot (one interval after the previous one, on the
database's clock: it spreads the messages evenly) and one of the channel's tokens — as many
tokens as the platform allows messages a second. A token is held from the message's slot until
one second after the platform's answer came back; a platform counting in one-second windows
therefore never sees more messages in a window than there are tokens, however the network, a
new connection or a late event loop bunches them (every message of a window held its token at
the slot of the last one). The chat is held while its message is in flight and its next slot is
one interval after the answer. When the chat (or every token) is busy nothing is taken and the
caller asks again, so a busy chat never holds the others up. A 429 pauses the channel for every
process. In a process, messages to one chat still wait their turn in memory (as with
`ChannelLimits`), so a chat's queue does not reserve slots far ahead.

Why the token is held until a second after the answer, and not after the request was written:
the platform counts a message at some instant c between the moment the request was fully written
(w) and the moment its answer came back (a); which instant, only it knows. For the proof above,
every message counted in a window must still hold its token at the slot of the last one, so a
token may be released one second after an instant known to be at or after its c — a is one,
always (a platform cannot answer a message it has not received); w is one only if the platform
counts at the very moment the bytes leave us. A platform that counts on arrival counts at w + d,
d the time the request takes to get there and be read, and d varies (the network; the platform's
own busy moments: on this loaded machine a request's round trip to the fake Bot API took 5 ms to
over 300 ms, most of it waiting for a core); released at w + 1 s, a token taken by a message
with a short d can then be counted in the same second as an earlier message with a long d, limit
+ 1 in that second. Releasing at w + 1 s + D is safe if d never varies by more than D, which is
an assumption about the network and the platform that nothing here can check; so the answer it
is.

What that costs is each message's time from its slot to its answer, T: a token serves one
message every 1 s + T, the rate is about limit ÷ (1 s + T) — ≥ 95 % needs T ≤ ~50 ms on average.
T is the sender waking up at its slot, PTB and httpx writing the request on a kept-alive
connection, the platform reading and answering, and the sender noticing the answer: on a machine
whose cores are all busy, each of those three processes waits for a core (measured on this
2-core machine at load 7–10, with the changes below: wake-up 16 ms, send → answer 61 ms on
average). What is ours to cut: the reservation's round trip writes no WAL (0016), and while
every token is out one task per process asks for the next one (`_reserve`), so that the senders
spend their CPU on sending rather than on polling the channel's row.

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

from bot.scheduler.limits import ChannelLimits, Rate
from bot.storage.db import Database
from bot.storage.repositories import pace as pace_repo

log = logging.getLogger(__name__)

BUSY_POLL = 0.25
"""Seconds between two asks for a chat held by another process's message in flight."""


class SharedLimits(ChannelLimits):
    """`ChannelLimits` whose overall and per-chat limits hold across processes (PostgreSQL).

    The configured rates are the platform's own limits (e.g. Telegram's 30 messages a second),
    not a share of them: the margin against a 429 is not a slower pace but the tokens, which
    count each message for one second from when its answer came back — a second that starts
    after the platform counted it, whatever the delays of the network, of a new connection or
    of a busy event loop in between. What that costs is a message's time in flight (tens of
    milliseconds on a LAN, against the second it is counted for)."""

    shared = True

    def __init__(self, db: Database, rates: dict[str, Rate], *, max_chats: int = 10_000) -> None:
        super().__init__(rates, max_chats=max_chats)
        self._db = db
        self._pauses: set[asyncio.Task[None]] = set()
        self._asking: dict[str, asyncio.Lock] = {}

    @asynccontextmanager
    async def slot(self, channel: str, chat_id: str) -> AsyncIterator[None]:
        """Hold the chat's turn and one of the channel's tokens for one platform call, both
        reserved in the database and released once the platform answered."""
        rate = self._rates.get(channel)
        if rate is None:
            yield
            return
        overall = 1 / rate.overall if rate.overall > 0 else 0.0
        tokens = max(1, int(rate.overall)) if rate.overall > 0 else 0
        # One message to a chat at a time, the next one an interval after the answer: the
        # platform counted the first before it answered, so they arrive at least that far apart.
        per_chat = 1 / rate.per_chat if rate.per_chat > 0 else 0.0
        turn = self._chat_pace(channel, chat_id, rate.per_chat).turn if per_chat else None
        async with turn if turn is not None else _nothing():
            while True:
                await self._wait_pause(channel)  # a 429 seen by this process
                reservation = await self._reserve(channel, chat_id, overall, tokens, per_chat)
                if not reservation.reserved:  # the chat is busy: ask again soon
                    await asyncio.sleep(min(max(reservation.wait, 0.01), BUSY_POLL))
                    continue
                if reservation.wait > 0:
                    # Late wake-ups need no care: the token is held from the slot on, so a
                    # message that goes late only keeps its token a little longer.
                    await asyncio.sleep(reservation.wait)
                if not self._paused(channel):
                    break
                # A 429 arrived while we waited: nothing was sent, give the token back.
                await self._ended(channel, chat_id, per_chat, reservation, sent=False)
            try:
                yield
            finally:  # answered, or failed (then it may still have reached the platform)
                answered = time.monotonic()
                await self._ended(channel, chat_id, per_chat, reservation, answered=answered)

    async def _reserve(
        self, channel: str, chat_id: str, overall: float, tokens: int, per_chat: float
    ) -> pace_repo.Reservation:
        """A reservation for one message, or a refusal because its chat is busy. While every
        token is in flight one task of this process at a time asks again, the others queue
        behind it in memory (in arrival order): a broadcast keeps more messages ready than
        there are tokens, and each of them polling the channel's row twenty times a second cost
        the senders CPU that their next wake-up then waited for. It costs nothing in rate: a
        token is released a second before it is free again, and the one asking takes it well
        within that second. While a token is free, tasks ask at once, side by side."""
        asking = self._asking.setdefault(channel, asyncio.Lock())
        if not asking.locked():  # nobody here is waiting for a token: maybe one is free
            reservation = await self._ask(channel, chat_id, overall, tokens, per_chat)
            if not reservation.tokens_busy:
                return reservation
        async with asking:
            while True:
                reservation = await self._ask(channel, chat_id, overall, tokens, per_chat)
                if not reservation.tokens_busy:
                    return reservation
                await asyncio.sleep(min(max(reservation.wait, 0.01), BUSY_POLL))
                await self._wait_pause(channel)

    async def _ask(
        self, channel: str, chat_id: str, overall: float, tokens: int, per_chat: float
    ) -> pace_repo.Reservation:
        async with self._db.connection(autocommit=True) as connection:
            return await pace_repo.reserve(
                connection,
                channel=channel,
                chat_id=chat_id,
                overall_interval=overall,
                tokens=tokens,
                chat_interval=per_chat,
            )

    async def _ended(
        self,
        channel: str,
        chat_id: str,
        per_chat: float,
        reservation: pace_repo.Reservation,
        *,
        sent: bool = True,
        answered: float | None = None,
    ) -> None:
        """Release the chat and the token of `reservation`: the token one window after the
        platform's answer (`answered`, this process's clock: the database gets how long ago that
        was, a duration, so the clocks need not agree), or at once when nothing was `sent`.

        A release that fails (the database unreachable a moment) is logged and not raised: the
        message went out, and a sender that took it for a failure would send it again. The chat
        and the token then stay held until the reservation's hold runs out, later than needed,
        never earlier."""
        try:
            async with self._db.connection(autocommit=True) as connection:
                await pace_repo.ended(
                    connection,
                    channel=channel,
                    chat_id=chat_id,
                    interval=per_chat if sent else 0.0,
                    chat_paced=per_chat > 0,
                    reservation=reservation,
                    ago=time.monotonic() - answered if answered is not None else 0.0,
                    window=pace_repo.WINDOW if sent else 0.0,
                )
        except Exception as error:  # noqa: BLE001 - see above: never fail a message that went
            log.warning("send pace of %s not released (held until it expires): %r", channel, error)

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
