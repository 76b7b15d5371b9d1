"""Issue 13, items 1–3, driven through Telegram, Zalo Bot and Zalo OA against the fake platforms,
with a push delivered by the outbox in the middle of the conversation:

1. after a push, "1" (or its label typed without accents) answers the push, not the older list;
2. unit search: a number never becomes a search term while a list is open, the exact name needs
   no tap;
3. a second press on a quiz button says so briefly (a pop-up on Telegram) and re-posts nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.replies import Notice, Text
from bot.scheduler.jobs import channel_senders
from tests.channels.conftest import TelegramRig, ZaloBotRig, ZaloOaRig
from tests.channels.platform_chat import PlatformChat
from tests.scheduler.helpers import local
from tests.scheduler.test_reminders_chat import add_deadline

REGISTER = """
    > /start
    > [Đồng ý]
    > [Cán bộ]
    < Đơn vị của anh/chị là gì?
    > noi vu
    > [Sở Nội vụ]
    < Đơn vị: Sở Nội vụ
    > Trần Văn Bình
    > Chuyên viên
    < Đăng ký xong
"""


@dataclass
class Platform:
    """One rig seen the same way whatever the platform: the chat, and what reached the person."""

    name: str
    app: BotApp
    chat: PlatformChat
    channel: str
    person: str
    sent: Callable[[], list[str]]  # every text the platform shows the person, in order
    enforce_limits: Callable[[], None]  # make the fake refuse more than 1 message/s per chat
    refusals: Callable[[], int]  # how many sends the fake refused for going too fast

    async def push(self, *replies: Text) -> list[str]:
        """A notice through the outbox and the real channel sender; the texts it showed."""
        await self.app.notifier.deliver([Notice(self.channel, self.person, tuple(replies))])
        return await self.drain()

    async def drain(self) -> list[str]:
        """Send what the outbox holds, as the running server's sender does."""
        before = len(self.sent())
        reminders = self.app.services.reminders
        stats = await reminders.sender(channel_senders(self.app), limits=reminders.limits).drain()
        assert stats.failed == stats.rejected == stats.undeliverable == 0, stats
        return self.sent()[before:]


@pytest.fixture(params=["telegram", "zalo_bot", "zalo_oa"])
def platform(request: pytest.FixtureRequest, db_url: str) -> Platform:
    """Each platform in turn, as its fake shows it."""
    if request.param == "telegram":
        tg: TelegramRig = request.getfixturevalue("telegram_rig")

        def telegram_texts() -> list[str]:
            return [m.get("text") or m.get("caption") or "" for m in tg.fake.sent_to(42)]

        return Platform(
            "telegram",
            tg.app,
            tg.chat,
            "telegram",
            "42",
            telegram_texts,
            lambda: tg.fake.configure(rate_limits=True),
            lambda: sum(call["status"] == 429 for call in tg.fake.calls),
        )
    if request.param == "zalo_bot":
        zb: ZaloBotRig = request.getfixturevalue("zalo_bot_rig")
        return Platform(
            "zalo_bot",
            zb.app,
            zb.chat,
            "zalo_bot",
            "z1",
            lambda: zb.fake.texts("z1"),
            lambda: setattr(zb.fake, "per_chat_per_second", 1),
            lambda: len(zb.fake.rate_limited),
        )
    oa: ZaloOaRig = request.getfixturevalue("zalo_oa_rig")
    return Platform(
        "zalo_oa",
        oa.app,
        oa.chat,
        "zalo_oa",
        "oa1",
        lambda: oa.fake.texts("oa1"),
        lambda: setattr(oa.fake, "per_chat_per_second", 1),
        lambda: len(oa.fake.rate_limited),
    )


async def _registered_and_confirmed(platform: Platform) -> None:
    """Register as staff in the chat and have the unit confirm it (deadlines reach confirmed
    staff only)."""
    await platform.chat.converse(REGISTER)
    users = platform.app.services.users
    profile = await users.touch(channel=platform.channel, external_id=platform.person)
    assert await platform.app.services.staff.confirm_by_admin(profile.id)


async def _acknowledged(app: BotApp, code: str) -> int:
    [report] = await app.services.reminders.deadlines.report(code)
    return report.acknowledged


async def test_one_after_a_pushed_reminder_answers_the_reminder(
    platform: Platform, clock: FrozenClock
) -> None:
    """The knowledge-base answer's "1" opened an article; once the reminder is delivered, "1"
    acknowledges the reminder's deadline (the report counts it there)."""
    await _registered_and_confirmed(platform)
    await add_deadline(platform.app, "q2", "Nộp báo cáo quý II", "02/06/2026 17:00")
    answer = await platform.chat.say("lam sao dang ky vneid muc 2")
    assert "VNeID" in answer
    clock.set(local("01/06/2026 17:00"))  # a day before: the reminder goes out
    await platform.app.services.reminders.sweeper.run()
    shown = "\n".join(await platform.drain())
    assert "Nộp báo cáo quý II" in shown
    if platform.name == "zalo_bot":
        assert "1. ✅ Đã nhận" in shown  # numbered text: the person answers with the number
    reply = await platform.chat.say("1")
    assert "đã ghi nhận" in reply and "Nộp báo cáo quý II" in reply
    assert await _acknowledged(platform.app, "q2") == 1


async def test_the_pushed_label_typed_without_accents_is_understood(
    platform: Platform, clock: FrozenClock
) -> None:
    await _registered_and_confirmed(platform)
    await add_deadline(platform.app, "q2", "Nộp báo cáo quý II", "02/06/2026 17:00")
    await platform.chat.converse("""
        > /lichhan
        < Lịch hạn của anh/chị
    """)
    clock.set(local("01/06/2026 17:00"))
    await platform.app.services.reminders.sweeper.run()
    await platform.drain()
    reply = await platform.chat.say("da nhan")
    assert "đã ghi nhận" in reply
    assert await _acknowledged(platform.app, "q2") == 1


async def test_unit_search_with_a_push_in_between(platform: Platform) -> None:
    """A list is open; a push (without choices) arrives; an out-of-range number asks again and
    keeps the list; "1" then picks the list's first unit — never a search for "1"."""
    await platform.chat.converse("""
        > /start
        > [Đồng ý]
        > [Cán bộ]
    """)
    listed = await platform.chat.say("phu")
    [first_unit, *_] = (await platform.app.services.units.search("phu")).units
    assert first_unit.name in listed
    await platform.push(Text("📢 Thông báo: họp giao ban lúc 14:00."))
    again = await platform.chat.say("99")
    assert "Anh/chị chọn từ 1 đến" in again and "gõ tên khác" in again
    assert first_unit.name in again  # the list is shown again, so "1" still means its first
    chosen = await platform.chat.say("1")
    assert f"Đơn vị: {first_unit.name}." in chosen


async def test_a_second_press_on_a_quiz_answer_floods_nothing(
    platform: Platform, request: pytest.FixtureRequest
) -> None:
    await platform.chat.converse(REGISTER)
    await platform.chat.converse("""
        > /kiemtra
        > [Kỹ năng số cơ bản]
        > [Làm bài chính thức]
        < Câu 1/10
    """)
    if platform.name == "telegram":
        tg: TelegramRig = request.getfixturevalue("telegram_rig")
        [question] = [m for m in tg.fake.chat_messages(42) if "Câu 1/10" in (m.get("text") or "")]
        data = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
        first = await tg.chat._run(tg.fake.user_presses(42, question["message_id"], data))
        assert "Câu 2/10" in first
        await platform.push(Text("📢 Thông báo: họp giao ban lúc 14:00."))
        before = len(tg.fake.messages)
        second = await tg.chat._run(tg.fake.user_presses(42, question["message_id"], data))
        assert second == "" and len(tg.fake.messages) == before  # no message, no re-post
        assert "Câu 1 anh/chị đã trả lời rồi" in tg.fake.callback_answers[-1]["text"]
    elif platform.name == "zalo_oa":
        oa: ZaloOaRig = request.getfixturevalue("zalo_oa_rig")
        [payload] = [b["payload"] for b in _quick_replies(oa) if b["title"] == "A"][-1:]
        first = await oa.chat._run(oa.fake.user_clicks("oa1", payload))
        assert "Câu 2/10" in first
        await platform.push(Text("📢 Thông báo: họp giao ban lúc 14:00."))
        second = await oa.chat._run(oa.fake.user_clicks("oa1", payload))
        assert len(oa.chat.last_messages) == 1  # one short line, never the question again
        assert "Câu 1 anh/chị đã trả lời rồi" in second and "Câu 2/10" not in second
    else:
        zb: ZaloBotRig = request.getfixturevalue("zalo_bot_rig")
        event = zb.fake.user_says("z1", "A")
        await zb.fake.post_webhook(event)
        answered = zb.fake.texts("z1")[-1]
        assert "Câu 2/10" in answered
        await platform.push(Text("📢 Thông báo: họp giao ban lúc 14:00."))
        before = len(zb.fake.messages)
        assert await zb.fake.post_webhook(event) == 200  # the platform delivers the tap again
        # a redelivery gets the kept answer again (at most that message), never a new turn
        assert len(zb.fake.messages) <= before + 1 and zb.fake.texts("z1")[-1] == answered
        assert "Câu 3/10" in (await platform.chat.say("B"))  # question 2 was still open


def _quick_replies(rig: ZaloOaRig) -> list[dict[str, str]]:
    return [
        button
        for sent in rig.fake.messages
        if sent["recipient"]["user_id"] == "oa1"
        for button in ((sent["message"].get("attachment") or {}).get("payload") or {}).get(
            "buttons", []
        )
    ]


@pytest.mark.parametrize("chat_rate", [1.0])  # the bot keeps the real pace: 1 message/s/chat
async def test_a_whole_conversation_stays_within_the_per_chat_limit(
    platform: Platform, chat_rate: float
) -> None:
    """Issue 13 item 4: turns with several messages and a push sent while the person is being
    answered, on a platform that refuses more than one message per second to a chat — not one
    refusal, and every turn's messages in order."""
    platform.enforce_limits()
    await platform.chat.converse(REGISTER)
    await platform.chat.converse("""
        > /kiemtra
        > [Kỹ năng số cơ bản]
        > [Làm bài chính thức]
        < Câu 1/10
    """)
    for number in (1, 2, 3):
        shown = await platform.chat.press_nth(1)
        assert shown.index(f"Câu {number}/10:") < shown.index(f"Câu {number + 1}/10")
    push = asyncio.create_task(platform.push(Text("📢 Thông báo: họp giao ban lúc 14:00.")))
    answer = await platform.chat.say("/huy")
    await push
    assert "Anh/chị muốn bỏ bài" in answer
    texts = platform.sent()
    greeting = next(i for i, text in enumerate(texts) if "Xin chào" in text)
    consent = next(i for i, text in enumerate(texts) if "Luật Bảo vệ dữ liệu cá nhân" in text)
    assert greeting <= consent
    if platform.name != "zalo_oa":  # OA texts are cut at 500 characters: too long to join
        assert greeting == consent  # two replies, one message
    assert any("họp giao ban" in text for text in texts)
    assert platform.refusals() == 0
