"""Splitting replies for a channel's limit is total for any text: every piece fits the channel's own
measure, nothing is lost or reordered (only whitespace runs removed at cuts), a piece never holds
a stronger boundary than the one it was cut at, and a cut inside a word falls between grapheme
clusters. Property-based, for every channel's limit, plus the inputs that used to recurse
forever."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.channels.split import split_text, utf16_len
from bot.channels.telegram_render import TEXT_LIMIT as TELEGRAM_LIMIT
from bot.channels.zalo_bot_api import TEXT_LIMIT as ZALO_BOT_LIMIT
from bot.config import get_settings

Measure = Callable[[str], int]

CHANNELS: list[tuple[str, int, Measure]] = [
    ("telegram", TELEGRAM_LIMIT, utf16_len),
    ("telegram caption", 1024, utf16_len),
    ("zalo_bot", ZALO_BOT_LIMIT, len),
    ("zalo_oa", get_settings(_env_file=None).zalo_oa_text_limit, len),
]

# str.splitlines' line boundaries ("\r\n" counts once), written out independently of the module.
_LINE_BREAK = re.compile(r"\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*$")

TOKENS = st.sampled_from(
    [
        "Trợ lý",
        "chuyển đổi số",
        "VNeID",
        "👩🏽‍💻",  # woman technologist, medium skin tone: 7 code points, one cluster
        "👨‍👩‍👧‍👦",
        "🇻🇳",
        "e\u0301\u0302",  # combining marks
        "a" + "\u0301" * 40,  # a cluster of 41 code points
        "https://dichvucong.gov.vn/p/home/dvc-trang-chu.html?x=" + "y" * 30,
        "x" * 700,
        "😀" * 300,
        ".",
        "!",
        "…",
        "”",
        " ",
        "  ",
        "\t",
        "\n",
        "\n\n",
        " \n \n ",
        "\r\n",
        "\u2028",
        "\u3000",
        "&<b>",
        "1.",
    ]
)
LONG_TEXTS = st.lists(
    st.tuples(TOKENS, st.integers(1, 60)).map(lambda pair: pair[0] * pair[1]), max_size=120
).map("".join)
ANY_TEXT = st.one_of(st.text(max_size=400), LONG_TEXTS)


def level(run: str, before: str) -> int:
    """Strength of a whitespace run: 3 paragraph, 2 line, 1 after a sentence, 0 other space."""
    breaks = len(_LINE_BREAK.findall(run))
    if breaks >= 2:
        return 3
    if breaks == 1:
        return 2
    return 1 if _SENTENCE_END.search(before) else 0


def check(text: str, pieces: list[str], limit: int, measure: Measure) -> None:
    """Every promise of split_text for one text."""
    whole = text.strip()
    assert ("".join(pieces) == "") == (whole == "")
    clusters = {m.end() for m in regex.finditer(r"\X", whole)} | {0}
    position = 0
    for index, piece in enumerate(pieces):
        assert piece and piece == piece.strip(), f"piece {index} empty or padded"
        assert measure(piece) <= limit, f"piece {index} measures {measure(piece)} > {limit}"
        assert whole.startswith(piece, position), f"piece {index} lost or reordered text"
        start, position = position, position + len(piece)
        if index == len(pieces) - 1:
            assert position == len(whole), "text lost at the end"
            break
        gap = re.match(r"\s*", whole[position:]).group()  # type: ignore[union-attr]
        inner = [
            level(m.group(), whole[start : start + m.start()]) for m in re.finditer(r"\s+", piece)
        ]
        if gap:  # cut at a whitespace run: nothing stronger inside the piece
            assert all(strength <= level(gap, whole[:position]) for strength in inner), (
                f"piece {index} holds a stronger boundary than its cut"
            )
        else:  # cut inside a word: only when the piece had no space to cut at
            assert not inner, f"piece {index} cut mid-word although it holds a space"
            if position not in clusters:  # allowed only inside a cluster longer than the limit
                cluster = next(
                    m.group() for m in regex.finditer(r"\X", whole) if m.end() > position
                )
                assert measure(cluster) > limit, f"piece {index} splits a grapheme cluster"
        position += len(gap)


@pytest.mark.parametrize(("channel", "limit", "measure"), CHANNELS, ids=[c[0] for c in CHANNELS])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=ANY_TEXT)
def test_every_channel_limit(channel: str, limit: int, measure: Measure, text: str) -> None:
    check(text, split_text(text, limit, measure=measure), limit, measure)


@settings(max_examples=400, deadline=None)
@given(
    text=ANY_TEXT,
    limit=st.integers(2, 60),
    measure=st.sampled_from([len, utf16_len]),
)
@example(text="x" * 600 + "\n\nshort", limit=500, measure=len)
@example(text="x" * 600 + "\nshort", limit=500, measure=len)
@example(text="x" * 600 + ". short", limit=500, measure=len)
@example(text="👍" * 3000 + "\n\nshort", limit=4096, measure=utf16_len)
@example(text="a" + "\u0301" * 100, limit=10, measure=len)
def test_small_limits(text: str, limit: int, measure: Measure) -> None:
    check(text, split_text(text, limit, measure=measure), limit, measure)


def test_the_reported_input_is_split_at_once() -> None:
    assert split_text("x" * 600 + "\n\nshort", 500) == ["x" * 500, "x" * 100 + "\n\nshort"]


def test_boundaries_are_preferred_paragraph_line_sentence_word() -> None:
    paragraph = "Đoạn một.\n\nĐoạn hai dài hơn. Có hai câu\nvà một dòng mới"
    assert split_text(paragraph, 40) == [
        "Đoạn một.",
        "Đoạn hai dài hơn. Có hai câu",
        "và một dòng mới",
    ]
    assert split_text("Câu một. Câu hai\nDòng hai", 20) == ["Câu một. Câu hai", "Dòng hai"]
    assert split_text("Câu một. Câu hai rất dài", 20) == ["Câu một.", "Câu hai rất dài"]
    assert split_text("một hai ba bốn năm", 10) == ["một hai ba", "bốn năm"]


def test_emoji_are_not_cut_and_telegram_counts_utf16() -> None:
    family = "👨‍👩‍👧‍👦"  # 7 code points, 11 UTF-16 units
    pieces = split_text(family * 10, 30, measure=utf16_len)
    assert pieces == [family * 2] * 5
    assert split_text("😀" * 5, 4, measure=utf16_len) == ["😀😀", "😀😀", "😀"]


def test_limits_below_two_are_refused() -> None:
    with pytest.raises(ValueError):
        split_text("abc", 1)
