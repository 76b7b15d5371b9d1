"""Spreadsheet conventions: local date-times, wrapped-line estimates, long texts split for print."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.services.sheets import chunks, local_time, text_lines

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def test_a_moment_becomes_the_local_date_time_a_cell_holds() -> None:
    assert local_time(datetime(2026, 12, 2, 4, 25, 7, 123, tzinfo=UTC), VN) == datetime(
        2026, 12, 2, 11, 25, 7
    )
    assert local_time(datetime(2026, 12, 2, 18, 0), VN) == datetime(2026, 12, 3, 1, 0)  # naive: UTC


def test_long_texts_are_cut_into_printable_pieces_without_losing_a_word() -> None:
    paragraph = " ".join(f"từ{n}" for n in range(900))
    text = "Mở đầu ngắn.\n" + paragraph + "\nKết thúc."
    pieces = chunks(text, 68, 24)
    assert len(pieces) > 2 and all(text_lines(piece, 68) <= 24 for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    assert chunks("ngắn", 68, 24) == ["ngắn"]
    assert text_lines("a\n\nb", 10) == 3
