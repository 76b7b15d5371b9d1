"""The ranking charts: every unit drawn (the lowest always), legible on a phone, a legend for the
colours, rates written as the chat writes them."""

from __future__ import annotations

import pytest

from bot.core.replies import Album, Text
from bot.messages import load_catalog
from bot.quiz.chart import PHONE_CSS_PX, rate_chart_pages
from bot.quiz.views import RankedUnit
from tests.helpers.chat import Chat
from tests.quiz.factories import make_target
from tests.quiz.helpers import register_staff

LEGIBLE_CSS_PX = 10  # the smallest text a phone user reads without zooming


def ranking(count: int) -> list[RankedUnit]:
    """`count` communes, best first; the 11th sits just under a 70 % target."""
    rates = [(count - n) / (count + 1) for n in range(count)]
    if count > 10:
        rates[10] = 0.6996
        rates.sort(reverse=True)
    return [
        RankedUnit(
            rank, rank, f"X{rank:03d}", f"Xã Ea {rank}", 40, 40, int(rate * 40), rate, 0.8, None
        )  # fmt: skip
        for rank, rate in enumerate(rates, 1)
    ]


def chart(rows: list[RankedUnit]):  # type: ignore[no-untyped-def]
    return rate_chart_pages(
        rows, required_rate=0.7, title="Kỹ năng số 2026", scope="Tỉnh Đắk Lắk", t=load_catalog()
    )


def test_every_one_of_102_communes_is_drawn_once_in_rank_order() -> None:
    rows = ranking(102)
    pages = chart(rows)
    drawn = [code for page in pages for code in page.codes]
    assert drawn == [row.code for row in rows]
    assert [page.number for page in pages] == list(range(1, len(pages) + 1))
    assert all(page.pages == len(pages) and page.png.startswith(b"\x89PNG") for page in pages)
    names = {text for page in pages for text in page.texts}
    assert all(f"{row.rank}. {row.name}" in names for row in rows)  # read back from the images


def test_a_very_long_ranking_keeps_the_lowest_units_and_says_what_it_leaves_out() -> None:
    rows = ranking(160)
    pages = chart(rows)
    drawn = [code for page in pages for code in page.codes]
    assert drawn[:60] == [row.code for row in rows[:60]]
    assert drawn[-55:] == [row.code for row in rows[-55:]]  # the lowest 55, down to the last
    assert len(drawn) == 115
    notes = [text for page in pages for text in page.texts if "không vẽ" in text]
    assert len(notes) == 1 and "Hạng 61–105" in notes[0]


@pytest.mark.parametrize("count", [3, 15, 40])
def test_text_is_legible_on_a_phone(count: int) -> None:
    for page in chart(ranking(count)):
        shown_at = PHONE_CSS_PX / page.width_px
        assert page.smallest_text_px * shown_at >= LEGIBLE_CSS_PX
        assert page.height_px / page.width_px <= 2.0  # not a sliver in the chat


def test_a_legend_and_rates_as_the_chat_writes_them() -> None:
    texts = {text for page in chart(ranking(30)) for text in page.texts}
    assert "Đạt chỉ tiêu (từ 70% trở lên)" in texts and "Chưa đạt (dưới 70%)" in texts
    assert "Vạch đỏ: mức chỉ tiêu 70%" in texts
    assert "69,9%" in texts and "70,0%" not in texts  # just under the target: never "70,0%"
    assert not any("." in text and text.endswith("%") for text in texts)  # "69,9%", not "69.9%"


async def test_the_leaderboard_in_chat_comes_with_its_charts(chat: Chat) -> None:
    await make_target(chat.bot, code="KSC-2026", unit="UBND", sets=("ky-nang-so-co-ban",))
    await register_staff(chat, "SKHCN-VP")
    turn = await chat.say("/thidua")
    [album] = [reply for reply in turn.replies if isinstance(reply, Album)]
    images = list(album.images)
    board = await chat.bot.services.quiz.progress.leaderboard(
        (await chat.bot.services.quiz.targets.by_code("KSC-2026")).id  # type: ignore[union-attr]
    )
    assert board is not None and len(board.rows) > 0
    assert len(images) == -(-len(board.rows) // 15)  # every unit, 15 to an image
    assert images[0].data.startswith(b"\x89PNG")
    assert f"{len(images)} trang" in album.caption  # one album of the pages
    assert isinstance(turn.replies[-1], Text) and turn.replies[-1].buttons  # buttons last
