"""The send pace shared by every process on PostgreSQL (tables `send_pace` and `send_token`,
function `send_pace_take` of migration 0015): reserve a slot and a token, release them once the
platform answered (the token one window after that answer, the chat one interval after it),
pause a channel after a 429, forget idle chats."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import SendPace, SendToken

_TAKE = text(
    "SELECT wait, reserved, token, held FROM send_pace_take(:overall_key, :overall, :tokens,"
    " :chat_key, :chat, :hold, :window)"
)
_ENDED = text(
    "WITH token AS (UPDATE send_token SET free_at = clock_timestamp()"
    " - make_interval(secs => :ago) + make_interval(secs => :window)"
    " WHERE key = :overall_key AND n = :token AND free_at = :held)"
    " UPDATE send_pace SET next_at = greatest(next_at - make_interval(secs => :hold),"
    " clock_timestamp() + make_interval(secs => :interval)) WHERE key = :chat_key"
)
TOKENS_BUSY = -1
"""The token `send_pace_take` (0016) returns when it reserved nothing because every token is in
flight."""
NO_KEY = -1
"""A key no row has (`pace_key` is never negative): the chat part of `ended` for a channel not
paced per chat."""
WINDOW = 1.0
"""Seconds over which platforms count their limits (Telegram: messages per second)."""
HOLD = 10.0
"""Seconds a chat and a token stay held while a message is in flight: released as soon as the
platform answered (`ended`), so this only bounds how long a process that died mid-call keeps
them; longer than a platform call takes even on a loaded machine (a second was not)."""
_PAUSE = text(
    "INSERT INTO send_pace AS p (key, next_at)"
    " VALUES (:key, clock_timestamp() + make_interval(secs => :seconds))"
    " ON CONFLICT (key) DO UPDATE"
    " SET next_at = greatest(p.next_at, clock_timestamp() + make_interval(secs => :seconds))"
)


def pace_key(channel: str, chat_id: str = "") -> int:
    """A stable 63-bit key for a channel's overall pace (`chat_id` empty) or one chat's: a hash,
    so that the table keeps no chat id (it is not personal data to erase or export)."""
    digest = hashlib.blake2b(f"{channel}\x00{chat_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


@dataclass(frozen=True, slots=True)
class Reservation:
    """The answer of `reserve`: whether a slot was taken, the seconds to wait (for the slot if
    taken: ≤ 0 means at once; else before asking again), and the token held (None when the
    channel has no overall limit; `TOKENS_BUSY` when nothing was reserved because every token
    is in flight) with the hold written on it (`ended` releases only that)."""

    wait: float
    reserved: bool
    token: int | None = None
    held: datetime | None = None

    @property
    def tokens_busy(self) -> bool:
        """Not reserved because every token of the channel is held by a message in flight (not
        because the chat is busy)."""
        return not self.reserved and self.token == TOKENS_BUSY


async def reserve(
    connection: AsyncConnection,
    *,
    channel: str,
    chat_id: str,
    overall_interval: float,
    tokens: int,
    chat_interval: float,
    window: float = WINDOW,
) -> Reservation:
    """Take the channel's next overall slot and one of its `tokens` if the chat is free (an
    interval of 0 is not paced; 0 tokens: no token). Not reserved when the chat is busy, or when
    every token is held by a message in flight: ask again after the wait."""
    row = (
        await connection.execute(
            _TAKE,
            {
                "overall_key": pace_key(channel),
                "overall": overall_interval,
                "tokens": tokens,
                "chat_key": pace_key(channel, chat_id),
                "chat": chat_interval,
                "hold": HOLD,
                "window": window,
            },
        )
    ).one()
    return Reservation(float(row.wait or 0.0), bool(row.reserved), row.token, row.held)


async def ended(
    connection: AsyncConnection,
    *,
    channel: str,
    chat_id: str,
    interval: float,
    chat_paced: bool,
    reservation: Reservation,
    ago: float = 0.0,
    window: float = WINDOW,
) -> None:
    """The message of `reservation` has been answered by the platform `ago` seconds before this
    call (measured on the caller's clock, a duration, so that clocks need not agree): its token
    is free again one `window` after that answer (the platform counted it on arrival, before its
    answer), and the chat's next message (`chat_paced`) waits `interval` from now. For a
    message that was not sent after all, `window` 0 frees the token at once."""
    await connection.execute(
        _ENDED,
        {
            "overall_key": pace_key(channel),
            "token": reservation.token,
            "held": reservation.held,
            "ago": max(0.0, ago),
            "window": window,
            "chat_key": pace_key(channel, chat_id) if chat_paced else NO_KEY,
            "interval": interval,
            "hold": HOLD,
        },
    )


async def pause(connection: AsyncConnection, *, channel: str, seconds: float) -> None:
    """No slot of the channel before `seconds` from now (a 429's retry_after)."""
    await connection.execute(_PAUSE, {"key": pace_key(channel), "seconds": seconds})


async def forget_idle(connection: AsyncConnection, *, before: datetime) -> int:
    """Delete the rows of chats (and channels, and their tokens) not sent to since `before`:
    a channel's tokens come back, all free, with its next message."""
    result = await connection.execute(delete(SendPace).where(SendPace.next_at < before))
    idle = (
        select(SendToken.key).group_by(SendToken.key).having(func.max(SendToken.free_at) < before)
    )
    # a channel's tokens all together (the reservation recreates a missing set, not one token)
    await connection.execute(delete(SendToken).where(SendToken.key.in_(idle)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
