"""Retention (bot/scheduler/retention.py): what is past its time goes, nothing else does; in
batches; two processes pruning at once share the work; the housekeeping job runs it; and the
defaults are the ones the consent text and docs/SECURITY.md promise."""

from __future__ import annotations

import asyncio
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.app import BotApp
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.scheduler.jobs import SchedulerJobs
from bot.scheduler.retention import Retention, RetentionPolicy, RetentionReport
from bot.storage.models import Conversation, OutboxMessage, ProcessedEvent, UnansweredQuestion
from tests.helpers.chat import Chat

HOUR = timedelta(hours=1)


async def _person(bot: BotApp, user_id: str = "u1") -> int:
    await Chat(bot, user_id=user_id).say("/start")
    profile = await bot.services.users.find(channel="test", external_id=user_id)
    assert profile is not None
    return profile.id


def _push(recipient: int, occurrence: str, status: str, at, sent_at=None) -> OutboxMessage:
    return OutboxMessage(
        purpose="notice",
        recipient_id=recipient,
        occurrence=occurrence,
        channel="test",
        chat_id="u1",
        payload=[{"type": "text", "text": "Nhắc việc của anh Nguyễn Văn An"}],
        status=status,
        available_at=at,
        created_at=at,
        sent_at=sent_at,
    )


async def _keys(bot: BotApp, column) -> list:
    async with bot.db.transaction() as session:
        return sorted((await session.scalars(select(column))).all())


async def test_what_is_past_its_time_goes_and_nothing_else(bot: BotApp, clock: FrozenClock) -> None:
    policy = RetentionPolicy.from_settings(bot.settings)
    person = await _person(bot)
    now = clock.now()
    kept = [{"type": "text", "text": "Xin chào anh Nguyễn Văn An"}]
    async with bot.db.transaction() as session:
        session.add_all(
            [
                Conversation(
                    channel="test",
                    user_id="abandoned",
                    step="nominate.name",
                    data={"name": "Nguyễn Văn An"},
                    menu=[],
                    version=3,
                    updated_at=now - policy.conversations - HOUR,
                ),
                Conversation(
                    channel="test",
                    user_id="recent",
                    step="nominate.name",
                    data={},
                    menu=[],
                    version=1,
                    updated_at=now - policy.conversations + HOUR,
                ),
                _push(
                    person,
                    "sent-old",
                    "sent",
                    now - policy.outbox - 2 * HOUR,
                    now - policy.outbox - HOUR,
                ),
                _push(person, "failed-old", "failed", now - policy.outbox - HOUR),
                _push(person, "sent-new", "sent", now - policy.outbox, now - policy.outbox + HOUR),
                _push(person, "pending-old", "pending", now - policy.outbox - HOUR),
                _push(person, "sending-old", "sending", now - policy.outbox - HOUR),
                ProcessedEvent(
                    channel="test",
                    event_key="old",
                    created_at=now - policy.claims - HOUR,
                    user_id="u1",
                    replies=kept,
                ),
                ProcessedEvent(
                    channel="test",
                    event_key="mid",
                    created_at=now - policy.replies - HOUR,
                    user_id="u1",
                    replies=kept,
                ),
                ProcessedEvent(
                    channel="test",
                    event_key="new",
                    created_at=now - HOUR,
                    user_id="u1",
                    replies=kept,
                ),
                UnansweredQuestion(
                    question="câu cũ",
                    score=0.1,
                    content_version="v",
                    created_at=now - policy.questions - HOUR,
                ),
                UnansweredQuestion(
                    question="câu mới",
                    score=0.1,
                    content_version="v",
                    created_at=now - policy.questions + HOUR,
                ),
            ]
        )
    report = await Retention(bot.db, clock, policy, batch=2).run()  # small batches: the loop
    assert report == RetentionReport(conversations=1, questions=1, outbox=2, replies=2, claims=1)
    users = await _keys(bot, Conversation.user_id)
    assert "abandoned" not in users and "recent" in users and "u1" in users
    assert await _keys(bot, OutboxMessage.occurrence) == ["pending-old", "sending-old", "sent-new"]
    async with bot.db.transaction() as session:
        claims = (
            await session.execute(select(ProcessedEvent.event_key, ProcessedEvent.replies))
        ).all()
    assert sorted(
        (key, replies is not None) for key, replies in claims if key in {"mid", "new"}
    ) == [
        ("mid", False),
        ("new", True),
    ]
    assert "old" not in [key for key, _ in claims]
    assert await _keys(bot, UnansweredQuestion.question) == ["câu mới"]
    assert not await Retention(bot.db, clock, policy).run()  # nothing left to do


async def test_two_processes_pruning_at_once_share_the_work(
    bot: BotApp, clock: FrozenClock, settings: Settings
) -> None:
    policy = RetentionPolicy.from_settings(bot.settings)
    person = await _person(bot)
    old = clock.now() - policy.outbox - HOUR
    async with bot.db.transaction() as session:
        session.add_all([_push(person, f"n{n}", "sent", old, old) for n in range(300)])
    other = BotApp.build(settings, clock=clock)  # a second process: its own pool
    try:
        reports = await asyncio.gather(
            Retention(bot.db, clock, policy, batch=25).run(),
            Retention(other.db, clock, policy, batch=25).run(),
        )
    finally:
        await other.close()
    assert sum(report.outbox for report in reports) == 300
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


async def test_the_housekeeping_job_runs_retention(bot: BotApp, clock: FrozenClock) -> None:
    chat = Chat(bot, user_id="halfway")
    await chat.say("/start")  # a flow left open: consent asked, never answered
    assert await _keys(bot, Conversation.user_id) == ["halfway"]
    async with bot.db.transaction() as session:
        row = await session.get(Conversation, ("test", "halfway"))
        assert row is not None and row.step
        row.updated_at = clock.now() - timedelta(days=bot.settings.conversation_keep_days, hours=1)
    await SchedulerJobs(bot, {}, send=False).run_once()
    assert await _keys(bot, Conversation.user_id) == []


def test_the_defaults_are_the_ones_the_consent_text_and_security_md_promise() -> None:
    defaults = Settings.model_fields
    security = Path("docs/SECURITY.md").read_text("utf-8")
    for setting in (
        "questions_keep_days",
        "conversation_keep_days",
        "outbox_keep_days",
        "replies_keep_hours",
        "processed_events_keep_days",
    ):
        promised = re.search(rf"`{setting.upper()}` \((\d+)\)", security)
        assert promised, f"docs/SECURITY.md does not say how long {setting.upper()} keeps"
        assert int(promised.group(1)) == defaults[setting].default, setting
    consent = Path("bot/messages/vi/start.yaml").read_text("utf-8")
    assert "câu hỏi chưa trả lời được tự xóa sau {question_days} ngày" in consent
