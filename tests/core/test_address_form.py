"""ADDRESS_FORM=bạn: the catalog, knowledge-base answers and tips address people as "bạn";
what people typed is never rewritten."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.app import BotApp
from bot.config import get_settings
from bot.core.clock import FrozenClock
from bot.messages.address import readdress
from bot.messages.catalog import read_catalog
from bot.scheduler import compose
from tests.helpers.chat import Chat

ANH_CHI = re.compile("anh/chị", re.IGNORECASE)


def test_every_catalog_message_says_ban() -> None:
    default, ban = read_catalog(), read_catalog(address_form="bạn")
    assert default.keys() == ban.keys()
    rewritten = [key for key in default.keys() if ANH_CHI.search(default(key))]
    assert len(rewritten) > 100  # the catalog really does address people everywhere
    assert not [key for key in ban.keys() if ANH_CHI.search(ban(key))]
    for key in rewritten:  # same placeholders, so every call site still formats
        assert ban.placeholders(key) == default.placeholders(key)
    assert ban("start.greeting").startswith("Xin chào bạn! Tôi là Trợ lý Chuyển đổi số")
    assert "Bạn có đồng ý không?" in ban("start.consent")


def test_what_people_typed_is_kept() -> None:
    message = read_catalog(address_form="bạn")(
        "reminders.sub_bad_hour", typed="anh/chị 8h", first=6, last=20
    )
    assert '"anh/chị 8h" chưa phải là giờ' in message and "Bạn gõ một giờ" in message


def test_capitals_follow_the_sentence() -> None:
    text = "Anh/chị có thể xem lại. Kết quả của anh/chị: ANH/CHỊ ĐÃ ĐẠT."
    assert readdress(text, "bạn") == "Bạn có thể xem lại. Kết quả của bạn: BẠN ĐÃ ĐẠT."
    assert readdress(text, "anh/chị") == text


@pytest.mark.parametrize("written", ["bạn", "ban", " BAN ", "Bạn"])
def test_setting_accepts_ban_with_or_without_diacritics(written: str) -> None:
    assert get_settings(address_form=written, _env_file=None).address_form == "bạn"


def test_unknown_address_form_is_refused() -> None:
    with pytest.raises(ValidationError, match="ADDRESS_FORM"):
        get_settings(address_form="quý khách", _env_file=None)


def test_tips_are_readdressed() -> None:
    tip = compose.tip(
        read_catalog(address_form="bạn"), "Anh/chị nên bật xác thực hai lớp.", "S", "u"
    )
    assert "Bạn nên bật xác thực hai lớp." in tip.text and not ANH_CHI.search(tip.text)


@pytest.fixture
async def ban_chat(db_url: str, tmp_path: Path, clock: FrozenClock) -> AsyncIterator[Chat]:
    settings = get_settings(
        database_url=db_url, data_dir=tmp_path / "data", address_form="ban", _env_file=None
    )
    app = BotApp.build(settings, clock=clock)
    try:
        yield Chat(app, channel="test", user_id="u1")
    finally:
        await app.close()


async def test_conversation_says_ban(ban_chat: Chat) -> None:
    greeting = await ban_chat.converse("""
        > /start
        < Xin chào bạn!
        < Bạn có đồng ý không?
    """)
    assert not ANH_CHI.search(greeting.text)
    ban_chat = Chat(ban_chat.bot, channel="test", user_id="u2")  # asks without registering
    answer = await ban_chat.converse("""
        > VNeID mức 2 là gì?
        < Mức 1 bạn tự đăng ký trên ứng dụng VNeID
    """)
    assert not ANH_CHI.search(answer.text)
