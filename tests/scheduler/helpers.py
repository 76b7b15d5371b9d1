"""Helpers for scheduler tests: people, a recording channel sender, reading the outbox."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.app import BotApp
from bot.core.notify import DeliveryError, Pace
from bot.core.replies import Reply, Text
from bot.storage.models import OutboxMessage

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(text: str) -> datetime:
    """ "30/06/2026 17:00" in Đắk Lắk → aware UTC."""
    return datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=VN).astimezone(UTC)


async def unit_id(bot: BotApp, code: str) -> int:
    """A demo unit's id by code."""
    found = await bot.services.units.search(code)
    return found.units[0].id


async def person(
    bot: BotApp,
    external_id: str,
    *,
    unit: str | None = None,
    channel: str = "telegram",
    manager_of: str | None = None,
) -> int:
    """A registered person (staff of `unit`, else a citizen); returns the user id."""
    users = bot.services.users
    profile = await users.touch(channel=channel, external_id=external_id)
    await users.record_consent(profile.id)
    if unit is None:
        await users.register_citizen(profile.id)
    else:
        await users.register_staff(
            profile.id,
            unit_id=await unit_id(bot, unit),
            full_name=f"Cán bộ {external_id}",
            position="Chuyên viên",
        )
        assert await bot.services.staff.confirm_by_admin(profile.id)  # counts for the unit
    if manager_of is not None:
        from bot.services.users import Role

        await users.grant(
            channel=channel, external_id=external_id, role=Role.MANAGER, unit_code=manager_of
        )
    return profile.id


async def outbox(bot: BotApp, **match: object) -> list[OutboxMessage]:
    """Outbox rows matching column=value filters, in id order."""
    statement = select(OutboxMessage).order_by(OutboxMessage.id)
    for column, value in match.items():
        statement = statement.where(getattr(OutboxMessage, column) == value)
    async with bot.db.transaction() as session:
        return list((await session.scalars(statement)).all())


def first_text(row: OutboxMessage) -> str:
    """The text of an outbox row's first reply."""
    return row.payload[0]["text"]


class RecordingSender:
    """An in-process ChannelSender: records what it sent, or raises what a test scripted."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, list[Reply]]] = []
        self.script: dict[str, list[DeliveryError | Exception]] = {}

    def fail(self, chat_id: str, *errors: DeliveryError | Exception) -> None:
        """Make the next sends to `chat_id` raise these errors, in order."""
        self.script.setdefault(chat_id, []).extend(errors)

    async def send(
        self, user_id: str, replies: Sequence[Reply], *, skip: int = 0, pace: Pace | None = None
    ) -> None:
        queued = self.script.get(user_id)
        if queued:
            raise queued.pop(0)
        if pace is not None:
            async with pace():
                pass
        self.sent.append((user_id, list(replies)))

    def texts(self, chat_id: str) -> list[str]:
        """Texts sent to one chat."""
        return [
            reply.text
            for chat, replies in self.sent
            if chat == chat_id
            for reply in replies
            if isinstance(reply, Text)
        ]


async def many_people(
    bot: BotApp, count: int, *, first_chat: int = 100_000, channel: str = "telegram"
) -> list[str]:
    """`count` registered citizens with chat ids first_chat, first_chat+1, … (bulk insert)."""
    from bot.storage.models import User

    now = datetime.now(UTC)
    chats = [str(first_chat + n) for n in range(count)]
    rows = [
        {
            "channel": channel,
            "external_id": chat,
            "kind": "citizen",
            "consent_at": now,
            "consent_version": "2026-01",
            "registered_at": now,
            "created_at": now,
            "last_seen_at": now,
        }
        for chat in chats
    ]
    async with bot.db.transaction() as session:
        await session.execute(User.__table__.insert(), rows)
    return chats


async def wait_until(condition: Callable[[], Awaitable[bool]], seconds: float, what: str) -> None:
    """Poll `condition` until it holds, failing after `seconds`."""
    deadline = time.monotonic() + seconds
    while not await condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)
