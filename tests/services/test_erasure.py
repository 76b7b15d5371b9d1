"""Issue 12, item 7: erasure that erases, tested as a class.

A person is seeded everywhere a real person leaves traces (registration, profile, typed
questions, a quiz, a nomination with evidence, reminders and the outbox, a web session or the
channel's bookkeeping, the daily tip), then erases their data with /xoadulieu. Every text and
JSON column of every table is then scanned for their platform id, chat id, name, phone number,
e-mail address and ID number. /dulieucuatoi, before that, must show what was stored.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.replies import Document
from bot.core.text import fold_words
from bot.nominations.types import Category
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec
from bot.scheduler.timing import parse_offsets
from bot.services.users import Role
from bot.storage.models import Base
from bot.storage.repositories import channels as channel_repo
from tests.helpers.chat import Chat
from tests.quiz.factories import SETS, add_result, make_target
from tests.scheduler.helpers import local

NAME = "Phạm Thị Bích Ngọc"
PHONE = "0905 123 456"
EMAIL = "ngoc.pham.cds@example.vn"
CCCD = "066190001234"
CONTACT = f"Liên hệ người đề cử: {NAME}, điện thoại {PHONE}, e-mail {EMAIL}, CCCD {CCCD}."
QUESTION = f"tôi là {NAME}, sđt {PHONE}, mail {EMAIL}, con trâu nhà tôi đi lạc thì báo ai"


async def _person(bot: BotApp, channel: str) -> Chat:
    """The person's chat; on the web channel their id comes from a real session."""
    if channel == "web":
        token = await bot.services.web_sessions.create("203.0.113.7")
        user_id = await bot.services.web_sessions.resolve(token)
        assert user_id is not None
        return Chat(bot, channel="web", user_id=user_id)
    return Chat(
        bot, channel=channel, user_id={"telegram": "7745521093", "zalo_oa": "zo-88213"}[channel]
    )


async def _seed(bot: BotApp, chat: Chat, clock: FrozenClock) -> int:
    """Leave the person's traces everywhere; returns their user id."""
    # The unit has a manager: registering sends them a confirmation request naming the person.
    manager = await bot.services.users.touch(channel="telegram", external_id="manager-1")
    await bot.services.users.record_consent(manager.id)
    skhcn = (await bot.services.units.search("SKHCN")).units[0]
    await bot.services.users.register_staff(
        manager.id, unit_id=skhcn.id, full_name="Lãnh Đạo Sở", position="Giám đốc"
    )
    await bot.services.users.grant(
        channel="telegram", external_id="manager-1", role=Role.MANAGER, unit_code="SKHCN"
    )
    await chat.converse(f"""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        > khoa hoc
        > [Sở Khoa học và Công nghệ]
        > {NAME}
        > Chuyên viên
        < Đăng ký xong
        < đã gửi yêu cầu xác nhận
        > /hoso
        > [Sửa chức vụ]
        > Phó Trưởng phòng
        < Đã cập nhật hồ sơ
    """)
    profile = await bot.services.users.find(channel=chat.channel, external_id=chat.user_id)
    assert profile is not None
    await chat.say(QUESTION)
    groups = await bot.services.knowledge.unanswered()
    assert groups and PHONE not in groups[0].question and EMAIL not in groups[0].question

    # The unit confirms them (the request to the manager stays in the outbox): confirmed staff
    # receive the unit's deadlines below.
    assert await bot.services.staff.confirm_by_admin(profile.id)

    # Quizzes: a counted attempt and standings against a target.
    await make_target(bot, unit="SKHCN")
    await add_result(bot, profile.id, SETS[0], 0.9, clock.now() - timedelta(hours=1))

    # A nomination with evidence whose texts carry the nominator's own contact details.
    await bot.services.nominations.rounds.open(
        name="Đợt 1 năm 2026",
        code="dot1-2026",
        categories=tuple(Category),
        opens_on=clock.now().date() - timedelta(days=5),
        closes_on=clock.now().date() + timedelta(days=20),
    )
    await chat.converse(f"""
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn Minh
        > y te
        > [Sở Y tế]
        > Chuyên viên
        > Số hóa 12.000 hồ sơ, rút ngắn 30 % thời gian xử lý. {CONTACT}
        > [Bỏ qua]
    """)
    await chat.send_event(
        IncomingEvent(
            chat.channel,
            chat.user_id,
            chat.user_id,
            EventKind.ATTACHMENT,
            attachment=Attachment(
                "photo", "file-1", "Pham_Thi_Bich_Ngoc_0905123456.jpg", "image/jpeg", 1000
            ),
        )
    )
    await chat.converse("""
        > [Xong phần minh chứng]
        > [Gửi đề cử]
        < Đã gửi đề cử
    """)

    # Reminders: the daily tip, a deadline reminder in the outbox and its acknowledgement.
    await chat.say("/nhantin 8")
    view, _ = await bot.services.reminders.deadlines.define(
        DeadlineSpec(
            code="q2",
            title="Nộp báo cáo quý II",
            due_at=local("30/06/2026 17:00"),
            audience=Audience(AudienceKind.ALL_STAFF),
            offsets=tuple(parse_offsets(None)),
        )
    )
    clock.set(local("23/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    assert "đã ghi nhận" in (await chat.act(f"ack:{view.id}")).text

    # Channel bookkeeping: a message edited in place, a Zalo OA contact and a webhook event.
    async with bot.db.transaction() as session:
        await channel_repo.put_message_ref(
            session,
            channel=chat.channel,
            chat_id=chat.user_id,
            key="quiz",
            message_id="991",
            now=clock.now(),
        )
        if chat.channel == "zalo_oa":
            await channel_repo.touch_oa_contact(
                session, user_id=chat.user_id, at=clock.now(), following=True
            )
            event_id = await channel_repo.add_inbox_event(
                session,
                channel="zalo_oa",
                event_key="user_send_text:m1",
                payload={"sender": {"id": chat.user_id}, "message": {"text": QUESTION}},
                now=clock.now(),
            )
            assert event_id is not None
            await channel_repo.finish_inbox_event(
                session, event_id=event_id, now=clock.now(), error=None
            )
    return profile.id


def _traces(chat: Chat) -> list[tuple[str, re.Pattern[str]]]:
    digits = re.sub(r"\D", "", PHONE)
    return [
        ("platform id", re.compile(re.escape(chat.user_id))),
        ("name", re.compile(r"[\W_]*".join(fold_words(NAME).split()))),
        ("phone", re.compile(digits)),
        ("e-mail", re.compile(re.escape(EMAIL.lower()))),
        ("ID number", re.compile(CCCD)),
    ]


def _cell(value: Any) -> str:
    """A stored value as text to search: folded (no diacritics, lower case), and once more with
    every separator between digits removed (so '0905 123 456' is found as '0905123456')."""
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    text = fold_words(str(value)) if value is not None else ""
    raw = str(value).lower() if value is not None else ""
    return " | ".join([text, raw, re.sub(r"(?<=\d)[\s.\-()]+(?=\d)", "", raw)])


async def _scan(bot: BotApp, chat: Chat) -> list[str]:
    """Every (table, column, what) where one of the person's identifiers is still stored."""
    found = []
    traces = _traces(chat)
    async with bot.db.transaction() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).all():
                for column, value in row._mapping.items():
                    cell = _cell(value)
                    for what, pattern in traces:
                        if pattern.search(cell):
                            found.append(f"{table.name}.{column}: {what}")
    return sorted(set(found))


@pytest.mark.parametrize("channel", ["telegram", "zalo_oa", "web"])
async def test_erasure_leaves_nothing_that_identifies_the_person(
    bot: BotApp, clock: FrozenClock, channel: str
) -> None:
    chat = await _person(bot, channel)
    user_id = await _seed(bot, chat, clock)
    seeded = await _scan(bot, chat)
    # The seeding reached the places the erasure must clean (else the scan proves nothing).
    for expected in (
        "users.external_id: platform id",
        "users.full_name: name",
        "conversations.user_id: platform id",
        "outbox.chat_id: platform id",
        "nominations.achievements: phone",
        "nominations.nominator_contact: name",
        "nomination_attachments.file_name: name",
        "outbox.payload: name",  # the manager's confirmation request
    ):
        assert expected in seeded, (expected, seeded)

    # /dulieucuatoi shows it all, as a message and as a JSON file.
    turn = await chat.say("/dulieucuatoi")
    [document] = [r for r in turn.replies if isinstance(r, Document)]
    exported = json.loads(document.data)["data"]
    assert exported["account"]["platform_id"] == chat.user_id
    assert exported["profile"]["full_name"] == NAME and NAME in turn.text
    assert exported["profile"]["position"] == "Phó Trưởng phòng"
    assert "[số đã ẩn]" in exported["unanswered_questions"][0]["question"]
    assert len(exported["quiz"]["attempts"]) == 1 and exported["quiz"]["standings"]
    assert CONTACT in exported["nominations"]["nominations"][0]["achievements"]
    assert exported["nominations"]["evidence"][0]["ref"] == "file-1"
    assert exported["reminders"]["tip_subscription"][0]["hour"] == 8
    assert exported["reminders"]["acknowledgements"] and exported["reminders"]["messages"]
    if channel == "web":
        assert exported["web_sessions"]
    if channel == "zalo_oa":
        assert exported["zalo_oa_contact"] and exported["webhook_events"]
    assert exported["message_refs"][0]["message_id"] == "991"

    await chat.converse("""
        > /xoadulieu
        > [Xóa hẳn]
        < Đã xóa hẳn dữ liệu cá nhân
    """)
    assert await _scan(bot, chat) == []
    assert await bot.services.users.get(user_id) is None or (
        (await bot.services.users.get(user_id)).external_id != chat.user_id  # type: ignore[union-attr]
    )

    # What stays is anonymous and still useful: the council's nomination (de-identified), the
    # attempt's score without its owner.
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.contact is None
    assert "Số hóa 12.000 hồ sơ" in detail.achievements and "[đã xóa]" in detail.achievements
    async with bot.db.transaction() as session:
        from bot.storage.models import QuizAttempt

        attempts = (await session.scalars(select(QuizAttempt))).all()
        assert [(a.user_id, a.score) for a in attempts] == [(None, 0.9)]

    # The next message is a first contact: nothing of the old account comes back.
    turn = await chat.say("/dulieucuatoi")
    [document] = [r for r in turn.replies if isinstance(r, Document)]
    fresh = json.loads(document.data)["data"]
    assert fresh["profile"]["full_name"] is None and fresh["unanswered_questions"] == []
    assert fresh["quiz"]["attempts"] == [] and fresh["nominations"]["nominations"] == []


async def test_questions_are_masked_before_they_are_logged(bot: BotApp) -> None:
    chat = Chat(bot, user_id="q1")
    await chat.say(
        "con trâu nhà tôi đi lạc ngày 30/06/2026, tôi treo thưởng 10.000.000 đồng, ai thấy gọi "
        "0905.123.456 hoặc +84 905 123 456, email a.b@example.com, cccd 066190001234, "
        "stk 1903 6543 2100 18"
    )
    [group] = await bot.services.knowledge.unanswered()
    logged = group.question
    for secret in ("066190001234", "1903", "0905", "+84", "a.b@example.com"):
        assert secret not in logged, (secret, logged)
    assert "10.000.000" in logged and "30/06/2026" in logged  # amounts and dates stay readable


async def test_logged_questions_and_session_counters_expire(
    bot: BotApp, clock: FrozenClock
) -> None:
    """QUESTIONS_KEEP_DAYS: the hourly housekeeping deletes older logged questions, and the
    web-session counters of windows that have passed."""
    from bot.scheduler.jobs import SchedulerJobs
    from bot.storage.models import UnansweredQuestion, WebSessionQuota

    chat = Chat(bot, user_id="old")
    await chat.say(QUESTION)
    await bot.services.web_sessions.create("192.0.2.1")
    jobs = SchedulerJobs(bot, {}, send=False)
    clock.advance(timedelta(days=bot.settings.questions_keep_days - 1))
    await jobs.run_once()
    async with bot.db.transaction() as session:
        assert len((await session.scalars(select(UnansweredQuestion))).all()) == 1
        assert (await session.scalars(select(WebSessionQuota))).all() == []
    clock.advance(timedelta(days=2))
    await jobs.run_once()
    async with bot.db.transaction() as session:
        assert (await session.scalars(select(UnansweredQuestion))).all() == []
