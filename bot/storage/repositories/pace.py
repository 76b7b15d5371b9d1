"""The send pace shared by every process on PostgreSQL (table `send_pace`, function
`send_pace_reserve` of migration 0012): reserve a slot, push a chat's next slot back once a
message has gone, pause a channel after a 429, forget idle chats."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import SendPace

_RESERVE = text(
    "SELECT wait, reserved FROM send_pace_reserve(:overall_key, :overall, :chat_key, :chat, :hold)"
)
_ENDED = text(
    "UPDATE send_pace SET next_at = greatest(next_at - make_interval(secs => :hold),"
    " clock_timestamp() + make_interval(secs => :interval)) WHERE key = :key"
)
HOLD = 10.0
"""Seconds a chat stays held while a message to it is in flight: released as soon as the
platform answered (`ended`), so this only bounds how long a process that died mid-call keeps
the chat; longer than a platform call takes even on a loaded machine (a second was not)."""
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


async def reserve(
    connection: AsyncConnection,
    *,
    channel: str,
    chat_id: str,
    overall_interval: float,
    chat_interval: float,
) -> tuple[float, bool]:
    """Take the channel's next overall slot if the chat is free (an interval of 0 is not
    paced). Returns the seconds to wait and whether a slot was reserved: if so, send after the
    wait (≤ 0: at once); if not, the chat is busy: ask again after the wait."""
    row = (
        await connection.execute(
            _RESERVE,
            {
                "overall_key": pace_key(channel),
                "overall": overall_interval,
                "chat_key": pace_key(channel, chat_id),
                "chat": chat_interval,
                "hold": HOLD if chat_interval > 0 else 0.0,
            },
        )
    ).one()
    return float(row.wait or 0.0), bool(row.reserved)


async def ended(
    connection: AsyncConnection, *, channel: str, chat_id: str, interval: float
) -> None:
    """A message to the chat has just been answered by the platform: release the hold of its
    reservation; the next one waits at least `interval` from now (platforms count a message
    when it arrives, so two messages must be an interval apart at their ends)."""
    await connection.execute(
        _ENDED, {"key": pace_key(channel, chat_id), "interval": interval, "hold": HOLD}
    )


async def pause(connection: AsyncConnection, *, channel: str, seconds: float) -> None:
    """No slot of the channel before `seconds` from now (a 429's retry_after)."""
    await connection.execute(_PAUSE, {"key": pace_key(channel), "seconds": seconds})


async def forget_idle(connection: AsyncConnection, *, before: datetime) -> int:
    """Delete the rows of chats (and channels) not sent to since `before`."""
    result = await connection.execute(delete(SendPace).where(SendPace.next_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
