"""Typed answers to choices: numbers, labels folded, the first words of one label."""

from __future__ import annotations

from bot.core.choices import menu_of, resolve_typed_choice
from bot.core.events import EventKind, IncomingEvent
from bot.core.replies import Button, Text, Toast, text

CATEGORIES = [
    ["👤 Cá nhân tiêu biểu", "nom:cat:person"],
    ["👥 Tập thể tiêu biểu", "nom:cat:collective"],
    ["💡 Sáng kiến chuyển đổi số", "nom:cat:initiative"],
]


def _typed(words: str) -> str:
    event = resolve_typed_choice(IncomingEvent.from_text("zalo_bot", "z1", words), CATEGORIES)
    return event.action if event.kind is EventKind.ACTION else ""


def test_labels_typed_without_accents_case_or_emoji() -> None:
    assert _typed("ca nhan tieu bieu") == "nom:cat:person"
    assert _typed("TẬP THỂ TIÊU BIỂU") == "nom:cat:collective"
    assert _typed("2") == "nom:cat:collective"


def test_the_first_words_of_one_label_are_enough() -> None:
    assert _typed("ca nhan") == "nom:cat:person"
    assert _typed("sang kien") == "nom:cat:initiative"
    assert _typed("tieu bieu") == ""  # in two labels, and not their first words
    assert _typed("ca") == "nom:cat:person"
    assert _typed("ca nha") == ""  # half a word is not a word


def test_only_toasts_leave_the_choices_open() -> None:
    question = text("Câu 2/10", [Button("A", "quiz:a:1:1:0"), Button("B", "quiz:a:1:1:1")])
    assert menu_of([Toast("Câu 1 anh/chị đã trả lời rồi")]) is None
    assert menu_of([Text("Không có lựa chọn")]) == []
    assert menu_of([question, Text("sau")]) == [["A", "quiz:a:1:1:0"], ["B", "quiz:a:1:1:1"]]
