"""The replies kept with a claim survive the trip through JSON unchanged, whatever they hold."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import reply_codec
from bot.core.replies import Button, Document, Image, Reply, Text

texts = st.text(max_size=300)  # any code points: emoji, combining marks, NUL, lone surrogates
actions = st.text(st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=64)
buttons = st.builds(Button, texts, actions)
rows = st.lists(st.lists(buttons, max_size=4).map(tuple), max_size=4).map(tuple)
replies: st.SearchStrategy[Reply] = st.one_of(
    st.builds(Text, texts, rows, edit_key=st.text(max_size=64)),
    st.builds(Image, caption=texts, data=st.binary(max_size=2048), url=texts, file_name=texts),
    st.builds(
        Document,
        file_name=texts,
        data=st.binary(max_size=2048),
        caption=texts,
        mime_type=texts,
    ),
)


@given(st.lists(replies, max_size=6))
def test_any_replies_round_trip_through_json(kept: list[Reply]) -> None:
    stored = json.loads(json.dumps(reply_codec.encode(kept)))
    assert reply_codec.decode(stored) == kept


def test_files_are_kept_up_to_the_bound() -> None:
    limit = reply_codec.KEPT_FILE_BYTES
    assert reply_codec.fits(Document("a.xlsx", b"x" * limit))
    assert not reply_codec.fits(Document("a.xlsx", b"x" * (limit + 1)))
    assert reply_codec.fits(Image(url="https://example.vn/a.png"))
    assert reply_codec.fits(Text("x" * (limit * 2)))


def test_an_unknown_stored_reply_is_an_error_not_a_guess() -> None:
    with pytest.raises(ValueError):
        reply_codec.decode([{"type": "sticker"}])


def test_toasts_and_linked_documents_are_kept_too() -> None:
    from bot.core.replies import Document, Toast
    from bot.core.reply_codec import decode, encode

    replies = [Toast("Câu này đã hết giờ."), Document("minh-chung.pdf", url="FILE-ID-1")]
    assert decode(encode(replies)) == replies
