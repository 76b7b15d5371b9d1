"""Processed-update ids are kept long enough to catch redeliveries, then forgotten; the replies
kept with them (for redeliveries) are forgotten sooner, and with the person on erasure."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.events import IncomingEvent
from bot.storage.models import ProcessedEvent


async def _claims(bot: BotApp) -> list[tuple[str, str | None, bool]]:
    async with bot.db.transaction() as session:
        rows = (await session.execute(select(ProcessedEvent))).scalars().all()
        return [(row.event_key, row.user_id, row.replies is not None) for row in rows]


async def test_old_update_ids_are_forgotten(bot: BotApp, clock: FrozenClock) -> None:
    users = bot.services.users
    event = IncomingEvent.from_text("telegram", "5", "/menu", dedup_key="tg:1")
    first = await bot.engine.handle(event)
    assert first.replies and not first.replayed
    again = await bot.engine.handle(event)  # a redelivery gets the same answer, handled once
    assert again.replayed and again.replies == first.replies
    assert await users.forget_processed_events(older_than=timedelta(days=7)) == 0
    clock.advance(timedelta(days=3))  # past the replay window: the replies go, the claim stays
    assert await users.forget_processed_events(older_than=timedelta(days=7)) == 0
    assert await _claims(bot) == [("tg:1", "5", False)]
    late = await bot.engine.handle(event)
    assert late.replayed and late.replies == []
    clock.advance(timedelta(days=5))
    assert await users.forget_processed_events(older_than=timedelta(days=7)) == 1
    assert await _claims(bot) == []


async def test_erasure_forgets_the_replies_kept_for_a_person(bot: BotApp) -> None:
    for number, text in enumerate(["/start", "/menu"]):
        await bot.engine.handle(
            IncomingEvent.from_text("telegram", "5", text, dedup_key=f"tg:{number}")
        )
    await bot.engine.handle(IncomingEvent.from_text("telegram", "6", "/menu", dedup_key="tg:9"))
    profile = await bot.services.users.find(channel="telegram", external_id="5")
    assert profile is not None
    await bot.services.users.erase(profile.id)
    assert sorted(await _claims(bot)) == [
        ("tg:0", None, False),
        ("tg:1", None, False),
        ("tg:9", "6", True),
    ]
