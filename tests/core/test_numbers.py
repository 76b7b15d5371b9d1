"""One Vietnamese number format for every message (issue 13 item 6)."""

from __future__ import annotations

from bot.messages.numbers import decimal, file_size, percent


def test_percentages_have_a_decimal_comma_and_no_space() -> None:
    assert percent(0.318) == "31,8%"
    assert percent(0.3) == "30%"
    assert percent(0.6949) == "69,5%"
    assert percent(1.0) == "100%"
    assert percent(0.0) == "0%"


def test_decimals_and_thousands() -> None:
    assert decimal(1234.5) == "1.234,5"
    assert decimal(30.0) == "30"
    assert decimal(2.25, digits=2) == "2,25"


def test_file_sizes_are_never_zero_megabytes() -> None:
    assert file_size(34 * 1024) == "34 KB"
    assert file_size(200) == "200 byte"
    assert file_size(1536 * 1024) == "1,5 MB"
    assert file_size(20 * 1024 * 1024) == "20 MB"
    assert file_size(1) == "1 byte"
