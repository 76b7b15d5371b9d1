"""Vietnamese normalisation: NFC, tone placement, look-alikes, accent folding."""

from __future__ import annotations

import unicodedata

import pytest

from bot.core.text import fold, fold_words, normalize, strip_accents


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hoà bình", "hòa bình"),
        ("Thuỷ lợi", "Thủy lợi"),
        ("khoẻ mạnh", "khỏe mạnh"),
        ("HOÀ", "HÒA"),
        ("Ðắk Lắk", "Đắk Lắk"),
        ("quý", "quý"),  # "qu" is a consonant: the tone stays on y
        ("hoàng", "hoàng"),  # a final consonant keeps the tone on the second vowel
        ("uỷ ban", "ủy ban"),
        ("  nhiều   khoảng   trắng ", "nhiều khoảng trắng"),
    ],
)
def test_normalize(typed: str, expected: str) -> None:
    assert normalize(typed) == expected


def test_decomposed_input_is_composed() -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Hòa")
    assert decomposed != "Nguyễn Thị Hòa"
    assert normalize(decomposed) == "Nguyễn Thị Hòa"


def test_folding_ignores_diacritics_case_and_tone_placement() -> None:
    assert fold("Đăng KÝ VNeID") == "dang ky vneid"
    assert fold("hoà") == fold("hòa") == fold("hoa")
    assert strip_accents("Đắk Lắk") == "Dak Lak"
    assert fold_words("Sở Y tế, (Đắk Lắk)!") == "so y te dak lak"


def test_labels_are_shortened_at_a_word_boundary() -> None:
    from bot.core.text import shorten

    title = "Nộp báo cáo chuyển đổi số quý II năm 2026 của toàn bộ các đơn vị"
    cut = shorten(title, 40)
    assert len(cut) <= 40 and cut.endswith("…")
    assert title.startswith(cut[:-1]) and title[len(cut) - 1] == " "  # cut between two words
    assert shorten("Ngắn gọn", 40) == "Ngắn gọn"
    assert shorten("X" * 50, 10) == "X" * 9 + "…"
