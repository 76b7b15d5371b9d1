"""Every long text the bot can produce reaches the person on every channel: each knowledge-base
answer and its detail (as the bot renders them), each catalog message with long realistic values,
and the largest nomination review screen (emoji-heavy fields at their maximum lengths), sent through
the Telegram, Zalo Bot and Zalo OA senders to the fake platforms, which refuse what the real ones
refuse (length in each platform's unit, HTML, buttons). Nothing may be refused or lost."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from bot.app import BotApp
from bot.channels.setup import ChannelSet
from bot.channels.split import utf16_len
from bot.config import get_settings
from bot.core.clock import FrozenClock
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.notify import DeliveryError
from bot.core.replies import Reply, Text
from bot.nominations import validation
from bot.nominations.types import Category
from tests.channels.conftest import TG_TOKEN, ZB_TOKEN, built_app
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOa
from tests.helpers.chat import Chat
from tests.nominations.conftest import register_staff

TG_CHAT, ZALO_CHAT, OA_USER = "4242", "zl-4242", "oa-4242"
EMOJI = ["👩🏽‍💻", "🎉", "🇻🇳", "📱", "🚀", "👍🏿"]  # astral: ZWJ sequence, flag, skin tone


def emoji_heavy(length: int, words: str = "Chị Hà hỗ trợ người dân", *, emoji: bool = True) -> str:
    """Text of exactly `length` visible characters (as the form counts them), a third emoji."""
    unit = " ".join(
        f"{word} {EMOJI[i % len(EMOJI)]}" if emoji else word for i, word in enumerate(words.split())
    )
    text = ""
    while validation.visible_length(text) < length:
        text += unit + " "
    while validation.visible_length(text) > length or text != text.strip():
        text = text[:-1]
    return text


@dataclass
class Rig:
    """A bot with all three platform channels configured against the fakes (not started)."""

    app: BotApp
    channels: ChannelSet
    telegram: FakeTelegram
    zalo_bot: FakeZaloBot
    zalo_oa: FakeZaloOa

    def received(self, channel: str, since: int) -> tuple[int, str]:
        """(messages so far, text of the messages since `since`) on one fake."""
        if channel == "telegram":
            messages = self.telegram.messages
            texts = [m.get("text") or m.get("caption") or "" for m in messages[since:]]
        elif channel == "zalo_bot":
            messages = self.zalo_bot.messages
            texts = [m.get("text") or m.get("caption") or "" for m in messages[since:]]
        else:
            messages = self.zalo_oa.messages
            texts = [m["message"].get("text", "") for m in messages[since:]]
        return len(messages), "\n".join(texts)

    async def deliver_everywhere(self, replies: list[Reply]) -> list[str]:
        """Send each reply on every channel; the problems found (refusals, lost text)."""
        problems = []
        chats = {"telegram": TG_CHAT, "zalo_bot": ZALO_CHAT, "zalo_oa": OA_USER}
        for channel in self.channels.channels:
            for reply in replies:
                before, _ = self.received(channel.name, 0)
                try:
                    await channel.sender.send(chats[channel.name], [reply])
                except DeliveryError as error:
                    problems.append(f"{channel.name} refused {_head(reply)}: {error}")
                    continue
                _, shown = self.received(channel.name, before)
                if isinstance(reply, Text) and _squash(reply.text) not in _squash(shown):
                    problems.append(f"{channel.name} lost text of {_head(reply)}")
        return problems


def _squash(text: str) -> str:
    """The text without whitespace, a list's ①, ② … (how channels without buttons mark a
    message's own numbered list next to numbered choices) read back as "1.", "2." …"""
    text = re.sub("[\u2460-\u2473]", lambda m: f"{ord(m.group()) - 0x245F}.", text)
    return re.sub(r"\s+", "", text)


def _head(reply: Reply) -> str:
    return repr(getattr(reply, "text", reply))[:80]


@pytest.fixture
async def rig(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
) -> AsyncIterator[Rig]:
    if not db_url.startswith("sqlite"):
        pytest.skip("rendering does not depend on the database: SQLite is enough")
    settings = get_settings(
        _env_file=None,
        database_url=db_url,
        data_dir=tmp_path / "data",
        public_base_url="https://cds.example.vn",
        telegram_bot_token=TG_TOKEN,
        telegram_api_base_url=fake_telegram.base_url,
        zalo_bot_token=ZB_TOKEN,
        zalo_bot_api_base_url=fake_zalo_bot.base_url,
        zalo_oa_app_id=fake_zalo_oa.app_id,
        zalo_oa_secret_key=fake_zalo_oa.secret_key,
        zalo_oa_app_secret=fake_zalo_oa.app_secret,
        zalo_oa_refresh_token="rt-0",
        zalo_oa_api_base_url=fake_zalo_oa.url,
        zalo_oa_oauth_base_url=fake_zalo_oa.url,
    )
    assert settings.zalo_oa_text_limit == fake_zalo_oa.text_limit == 500
    app = await built_app(settings, clock)
    channels = ChannelSet.from_app(app)
    assert [c.name for c in channels.channels] == ["telegram", "zalo_bot", "zalo_oa"]
    await app.services.channels.touch_oa_contact(OA_USER)
    try:
        yield Rig(app, channels, fake_telegram, fake_zalo_bot, fake_zalo_oa)
    finally:
        await channels.stop()
        await app.close()


async def test_every_knowledge_base_answer_and_detail_reaches_every_channel(rig: Rig) -> None:
    chat = Chat(rig.app, channel="test", user_id="reader")
    topics = rig.app.services.knowledge.knowledge().topics
    assert len(topics) >= 20
    replies: list[Reply] = []
    for slug, topic in topics.items():
        for action in (f"kb:t:{slug}", f"kb:m:{slug}"):
            turn = await chat.act(action)
            assert topic.title in turn.text, f"{action} did not show the topic"
            replies += turn.replies
    assert await rig.deliver_everywhere(replies) == []


LONG_TEXT = emoji_heavy(600, "Trung tâm Phục vụ hành chính công tỉnh Đắk Lắk đã hướng dẫn")
LONG_VALUES: dict[str, str] = {
    "name": emoji_heavy(validation.PERSON_NAME[1], "Nguyễn Thị Hồng Nhung Phương"),
    "title": emoji_heavy(validation.TITLE[1], "Sáng kiến số hóa hồ sơ một cửa"),
    "unit": "Trung tâm Công nghệ thông tin và Truyền thông thuộc Sở Khoa học và Công nghệ tỉnh "
    "Đắk Lắk (cơ sở 2, phường Buôn Ma Thuột) — bộ phận hỗ trợ chuyển đổi số cấp xã, phường",
    "achievements": emoji_heavy(validation.ACHIEVEMENTS[1]),
    "results": emoji_heavy(validation.RESULTS[1], "Giảm 30 % thời gian xử lý hồ sơ"),
    "reason": emoji_heavy(validation.REASON[1], "Hồ sơ cần bổ sung minh chứng về kết quả"),
    "note": emoji_heavy(validation.EVIDENCE_NOTE[1], "Đường link báo cáo tổng kết năm"),
    "url": "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma-ho-so="
    + "H" * 160
    + "&nguon=tro-ly-chuyen-doi-so-dak-lak",
    "date": "31/12/2026",
    "due": "31/12/2026 17:00",
}
NUMERIC = {
    "count",
    "max",
    "min",
    "total",
    "number",
    "required",
    "rate",
    "passed",
    "correct",
    "files",
    "headcount",
    "seconds",
    "needed",
    "index",
    "rank",
    "registered",
    "practice",
    "mb",
    "percent",
    "units",
    "left",
    "limit",
    "size",
    "page",
    "pages",
    "days",
    "remaining",
    "acked",
    "hour",
    "shown",
    "counted",
    "passes",
    "quiet_start",
    "quiet_end",
    "asked",
}


def long_value(name: str) -> str:
    """A realistic value for a placeholder, as long as the bot lets it be."""
    if name in LONG_VALUES:
        return LONG_VALUES[name]
    if name in NUMERIC:
        return "12.345"
    return LONG_TEXT


async def test_every_catalog_message_with_long_values_reaches_every_channel(rig: Rig) -> None:
    t = rig.app.catalog
    replies: list[Reply] = []
    for key in t.keys():
        names = t.placeholders(key)
        message = t(key, **{name: long_value(name) for name in names}) if names else t(key)
        if message.strip():
            replies.append(Text(message))
    assert len(replies) > 400
    assert await rig.deliver_everywhere(replies) == []


async def test_the_largest_nomination_review_screen_reaches_every_channel(rig: Rig) -> None:
    app = rig.app
    await app.services.nominations.rounds.open(
        name="Đợt 1 năm 2026",
        code="dot1-2026",
        categories=tuple(Category),
        opens_on=date(2026, 5, 15),
        closes_on=date(2026, 6, 30),
    )
    chat = await register_staff(
        app,
        "nominator",
        name="Võ Thị Thanh Xuân Nguyễn Hoàng Bảo Ngọc Phương Thảo",
        position=emoji_heavy(validation.POSITION[1], "Phó Trưởng phòng Chuyển đổi số"),
    )
    await chat.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
    """)
    name = emoji_heavy(validation.PERSON_NAME[1], "Tôn Nữ Thị Hồng Nhung", emoji=False)
    assert "công tác ở đơn vị nào" in (await chat.say(name)).text
    await chat.say("Lương Văn Chánh")
    await chat.press("Lương Văn Chánh")
    await chat.say(emoji_heavy(validation.POSITION[1], "Giáo viên Tin học kiêm Tổ trưởng"))
    await chat.say(emoji_heavy(validation.ACHIEVEMENTS[1]))
    await chat.say(emoji_heavy(validation.RESULTS[1], "Giảm 30 % thời gian xử lý hồ sơ"))
    for index in range(app.settings.nomination_max_attachments):
        name = f"minh-chung-{index}-bao-cao-tong-ket-chuyen-doi-so-🎉🇻🇳-{'x' * 150}.pdf"
        await chat.send_event(
            IncomingEvent(
                "test",
                chat.user_id,
                chat.user_id,
                EventKind.ATTACHMENT,
                attachment=Attachment("document", f"file-{index}", name, "application/pdf", 9999),
            )
        )
    await chat.say(emoji_heavy(validation.EVIDENCE_NOTE[1], "Đường link báo cáo tổng kết năm"))
    turn = await chat.press("Xong phần minh chứng")
    review = turn.replies[-1]
    assert isinstance(review, Text) and "kiểm tra lại đề cử" in review.text
    assert review.text.count("minh-chung-") == app.settings.nomination_max_attachments
    assert utf16_len(review.text) > 4096  # more than one Telegram message
    assert await rig.deliver_everywhere(turn.replies) == []
    assert "Đã gửi đề cử DC-" in (await chat.press("Gửi đề cử")).text
