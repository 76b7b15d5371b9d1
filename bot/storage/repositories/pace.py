"""The send pace shared by every process on PostgreSQL (table `send_pace`, function
`send_pace_reserve` of migration 0012): reserve a slot, push a chat's next slot back once a
message has gone, pause a channel after a 429, forget idle chats."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import bindparam, delete, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import SendPace

_RESERVE = text("SELECT send_pace_reserve(:overall_key, :overall, :chat_key, :chat)").bindparams(
    bindparam("overall_key"), bindparam("overall"), bindparam("chat_key"), bindparam("chat")
)
_ENDED = text(
    "UPDATE send_pace SET next_at = greatest(next_at,"
    " clock_timestamp() + make_interval(secs => :interval)) WHERE key = :key"
)
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
) -> float:
    """Take the next slot of the chat and of the channel overall (an interval of 0 is not
    paced); returns the seconds to wait before sending (≤ 0: at once)."""
    wait = await connection.scalar(
        _RESERVE,
        {
            "overall_key": pace_key(channel),
            "overall": overall_interval,
            "chat_key": pace_key(channel, chat_id),
            "chat": chat_interval,
        },
    )
    return float(wait or 0.0)


async def ended(
    connection: AsyncConnection, *, channel: str, chat_id: str, interval: float
) -> None:
    """A message to the chat has just been answered by the platform: its next one waits at
    least `interval` from now (platforms count a message when it arrives)."""
    await connection.execute(_ENDED, {"key": pace_key(channel, chat_id), "interval": interval})


async def pause(connection: AsyncConnection, *, channel: str, seconds: float) -> None:
    """No slot of the channel before `seconds` from now (a 429's retry_after)."""
    await connection.execute(_PAUSE, {"key": pace_key(channel), "seconds": seconds})


async def forget_idle(connection: AsyncConnection, *, before: datetime) -> int:
    """Delete the rows of chats (and channels) not sent to since `before`."""
    result = await connection.execute(delete(SendPace).where(SendPace.next_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
