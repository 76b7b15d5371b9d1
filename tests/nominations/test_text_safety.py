"""Text is stored exactly as typed and shown unchanged; channels escape it (Telegram HTML, Zalo)."""

from __future__ import annotations

import unicodedata

import pytest

from bot.app import BotApp
from bot.channels import telegram_render
from bot.channels.telegram_render import TgText
from bot.channels.zalo_render import ZaloText, render_numbered
from bot.core.replies import Text
from bot.messages import load_catalog
from tests.fakes.telegram_html import parse_html
from tests.helpers.chat import Chat, Turn

pytestmark = pytest.mark.usefixtures("open_round")

NFD_NAME = unicodedata.normalize("NFD", "Nguyễn Thị Hoà")
LONG_WORD = "Chuyểnđổisố" * 30  # 330 characters without a space
NASTY_TEXT = (
    f"<b>Thành tích</b> & <i>kết quả</i> 😀🎉 {LONG_WORD} "
    + unicodedata.normalize("NFD", "Đắk Lắk: người dân được hướng dẫn cài VNeID mức 2.")
    + " </pre> &amp; {placeholder} %s"
)
NASTY_RESULTS = "giảm 30 % thời gian & <script>alert(1)</script> 🚀"


def _telegram_plain(turn: Turn) -> str:
    """What Telegram would display for the turn, after checking the HTML like the Bot API."""
    shown = []
    for reply in turn.replies:
        for message in telegram_render.render(reply):
            assert isinstance(message, TgText)
            plain, entities = parse_html(message.html)
            assert entities == []  # nothing the person typed became formatting
            shown.append(plain)
    return "\n".join(shown)


def _zalo_plain(turn: Turn) -> str:
    pieces = render_numbered(turn.replies, load_catalog(), limit=2000)
    return "\n".join(piece.text for piece in pieces if isinstance(piece, ZaloText))


async def test_markup_emoji_long_words_and_nfd_are_kept_exactly(bot: BotApp, staff: Chat) -> None:
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
    """)
    await staff.say(NFD_NAME)
    await staff.say("y te")
    await staff.press("Sở Y tế")
    await staff.say("Chuyên viên <b>")
    await staff.say(NASTY_TEXT)
    await staff.say(NASTY_RESULTS)
    review = await staff.press("Xong phần minh chứng")
    assert NFD_NAME in review.text and NASTY_TEXT in review.text and NASTY_RESULTS in review.text
    for shown in (_telegram_plain(review), _zalo_plain(review)):
        assert NFD_NAME in shown and NASTY_TEXT in shown and NASTY_RESULTS in shown
    html = "".join(
        m.html for r in review.replies for m in telegram_render.render(r) if isinstance(m, TgText)
    )
    assert "<b>" not in html and "&lt;b&gt;Thành tích&lt;/b&gt; &amp;" in html

    sent = await staff.press("Gửi đề cử")
    assert "Đã gửi đề cử DC-2026-0001" in sent.text and NFD_NAME in sent.text
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None
    assert detail.nominee_name == NFD_NAME and detail.nominee_name != unicodedata.normalize(
        "NFC", NFD_NAME
    )
    assert detail.achievements == NASTY_TEXT
    assert detail.results == NASTY_RESULTS
    assert detail.position == "Chuyên viên <b>"


async def test_own_view_and_council_view_show_text_unchanged(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await staff.converse("""
        > /decu
        > [Sáng kiến chuyển đổi số]
    """)
    await staff.say("<b>Sổ tay</b> & số 😀")
    await staff.say("y te")
    await staff.press("Sở Y tế")
    await staff.say(NASTY_TEXT)
    await staff.press("Bỏ qua")
    await staff.press("Xong phần minh chứng")
    await staff.press("Gửi đề cử")
    await staff.say("/decucuatoi")
    own = await staff.press("Xem DC-2026-0001")
    assert "<b>Sổ tay</b> & số 😀" in own.text and NASTY_TEXT in own.text
    council_view = await council.say("/duyetdecu")
    for shown in (council_view.text, _telegram_plain(council_view), _zalo_plain(council_view)):
        assert "<b>Sổ tay</b> & số 😀" in shown and NASTY_TEXT in shown
    assert all(isinstance(reply, Text) for reply in council_view.replies)
