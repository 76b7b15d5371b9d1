"""A pushed reminder's choices are the ones a typed "1" or a typed label answers, from the moment
it is delivered — and a push leaves the person's open flow alone."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.core.clock import FrozenClock
from bot.storage.models import OutboxMessage
from bot.storage.repositories import conversations as conversation_repo
from tests.helpers.chat import Chat
from tests.quiz.helpers import register_staff
from tests.scheduler.helpers import RecordingSender, local
from tests.scheduler.test_reminders_chat import add_deadline


async def _push_reminder(chat: Chat, clock: FrozenClock, deadline_id: int) -> str:
    """Sweep and deliver the reminder of one deadline to the chat; its text as sent."""
    bot = chat.bot
    clock.set(local("29/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    channel = RecordingSender()
    stats = await bot.services.reminders.sender({chat.channel: channel}).drain()
    assert stats.sent >= 1
    [reminder] = [text for text in channel.texts(chat.user_id) if "Nộp báo cáo quý II" in text]
    return reminder


async def _acknowledged(chat: Chat, code: str) -> int:
    [report] = await chat.bot.services.reminders.deadlines.report(code)
    return report.acknowledged


async def test_one_typed_after_a_push_answers_the_push_not_the_older_list(
    chat: Chat, clock: FrozenClock
) -> None:
    await register_staff(chat, "SYT")
    sooner = await add_deadline(chat.bot, "at", "Bài kiểm tra An toàn", "15/06/2026 17:00")
    pushed = await add_deadline(chat.bot, "q2", "Nộp báo cáo quý II", "30/06/2026 17:00")
    await chat.converse("""
        > /lichhan
        < Đã nhận: Bài kiểm tra An toàn
    """)
    assert chat.last is not None
    assert [action for _, action in chat.last.buttons][:2] == [f"ack:{sooner}", f"ack:{pushed}"]
    reminder = await _push_reminder(chat, clock, pushed)  # "1. ✅ Đã nhận" on Zalo
    assert "Nộp báo cáo quý II" in reminder
    turn = await chat.say("1")
    assert "Nộp báo cáo quý II" in turn.text
    assert await _acknowledged(chat, "q2") == 1 and await _acknowledged(chat, "at") == 0


async def test_the_push_label_typed_without_accents_is_understood(
    chat: Chat, clock: FrozenClock
) -> None:
    await register_staff(chat, "SYT")
    deadline = await add_deadline(chat.bot, "q2", "Nộp báo cáo quý II", "30/06/2026 17:00")
    await chat.say("lam sao dang ky vneid muc 2")  # a knowledge-base answer with its own choices
    assert chat.last is not None and chat.last.buttons
    await _push_reminder(chat, clock, deadline)
    turn = await chat.say("da nhan")
    assert "đã ghi nhận" in turn.text
    assert await _acknowledged(chat, "q2") == 1


async def test_a_push_keeps_the_open_flow_and_what_it_collected(
    chat: Chat, clock: FrozenClock
) -> None:
    """Mid-flow (a name being asked for), a reminder arrives: its "1" works, and the flow then
    goes on where it was."""
    await register_staff(chat, "SYT")
    deadline = await add_deadline(chat.bot, "q2", "Nộp báo cáo quý II", "30/06/2026 17:00")
    await chat.converse("""
        > /hoso
        > [Sửa họ tên]
        < họ và tên mới
    """)
    await _push_reminder(chat, clock, deadline)
    await chat.converse("""
        > 1
        < đã ghi nhận
        > Trần Văn Bình
        < Đã cập nhật hồ sơ
        < Trần Văn Bình
    """)
    assert await _acknowledged(chat, "q2") == 1


async def test_a_push_delivered_during_a_turn_neither_fails_it_nor_outlives_it(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The push's choices are written while a turn is being handled (after the turn read the
    state): the turn still saves (no "busy" answer, nothing lost) and its own choices, sent
    after the push, are the ones "1" answers."""
    await register_staff(chat, "SYT")
    users = chat.bot.services.users
    begin = users.begin_turn

    async def push_lands_meanwhile(**keys):  # type: ignore[no-untyped-def]
        begun = await begin(**keys)
        async with chat.bot.db.transaction() as session:
            await conversation_repo.offer_menus(
                session, menus=[(chat.channel, chat.user_id, [["✅ Đã nhận", "ack:1"]])]
            )
        return begun

    monkeypatch.setattr(users, "begin_turn", push_lands_meanwhile)
    turn = await chat.say("/hoso")
    monkeypatch.setattr(users, "begin_turn", begin)
    assert "Hồ sơ của anh/chị" in turn.text and chat.bot.catalog("common.busy") not in turn.text
    await chat.converse("""
        > 1
        < họ và tên mới
    """)


async def test_outcomes_are_written_while_a_turn_holds_the_persons_conversation(
    chat: Chat, clock: FrozenClock
) -> None:
    """A push's choices go to the person's conversation row, which a turn in another process
    may hold locked for seconds; the push's outcome must not wait for it, or its lease runs
    out and another sender delivers the message a second time."""
    bot = chat.bot
    if bot.db.dialect == "sqlite":
        pytest.skip("SQLite has one writer at a time: no row locks held by other processes")
    await register_staff(chat, "SYT")
    await add_deadline(bot, "q2", "Nộp báo cáo quý II", "30/06/2026 17:00")
    clock.set(local("29/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    channel = RecordingSender()
    async with bot.db.transaction() as turn:  # the turn of another process, saving its state
        await conversation_repo.offer_menus(turn, menus=[(chat.channel, chat.user_id, [])])
        drain = asyncio.create_task(bot.services.reminders.sender({chat.channel: channel}).drain())
        try:
            for _ in range(100):
                async with bot.db.transaction() as session:
                    statuses = set(
                        (
                            await session.scalars(
                                select(OutboxMessage.status).where(
                                    OutboxMessage.chat_id == chat.user_id
                                )
                            )
                        ).all()
                    )
                if statuses == {"sent"}:
                    break
                await asyncio.sleep(0.05)
            assert statuses == {"sent"}, statuses
        finally:
            await turn.rollback()
    await drain
    assert any("Nộp báo cáo quý II" in text for text in channel.texts(chat.user_id))
