"""Quiz-bank schema: the shipped banks load, and every kind of mistake is reported with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.quiz.bank import BankError, check_banks, load_banks

GOOD = """\
slug: thu
title: Bộ thử
description: Một bộ câu hỏi để thử.
questions_per_attempt: 1
questions:
  - id: t-001
    text: Câu hỏi?
    options: [Một, Hai, Ba, Bốn]
    correct: 0
    explanation: Vì một là đúng.
    source: {title: Nguồn, url: "https://mst.gov.vn/"}
"""


def _write(tmp_path: Path, text: str, name: str = "thu.yaml") -> Path:
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_shipped_banks_are_valid() -> None:
    banks = load_banks()
    assert len(banks) >= 5
    for bank in banks.values():
        assert len(bank.questions) >= bank.questions_per_attempt
        assert all(len(q.options) == 4 and 0 <= q.correct < 4 for q in bank.questions)


def test_good_bank_loads(tmp_path: Path) -> None:
    bank = load_banks(_write(tmp_path, GOOD))["thu"]
    assert bank.pass_ratio == 0.8
    assert bank.questions[0].answer == "Một"
    assert bank.question("t-001") is bank.questions[0]


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("[Một, Hai, Ba, Bốn]", "[Một, Hai, Ba]", 8, "đúng 4 phương án"),
        ("[Một, Hai, Ba, Bốn]", "[Một, Hai, Ba, một]", 8, "trùng"),
        ("correct: 0", "correct: 4", 9, "ngoài 0–3"),
        ("Vì một là đúng.", "x" * 201, 10, "tối đa 200"),
        ('source: {title: Nguồn, url: "https://mst.gov.vn/"}', "", 6, "source"),
        ("slug: thu", "slug: khac", 1, "trùng tên tệp"),
        ("[Một, Hai, Ba, Bốn]", "[Một, Hai, Ba, Tất cả các đáp án trên]", 8, "tất cả"),
    ],
)
def test_mistakes_are_reported_with_line(
    tmp_path: Path, old: str, new: str, line: int, words: str
) -> None:
    _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(BankError) as caught:
        load_banks(tmp_path)
    assert any(i.line == line and words in i.message for i in caught.value.issues), caught.value


def test_duplicate_ids_and_broken_yaml(tmp_path: Path) -> None:
    second = GOOD.split("questions:\n")[1].replace("Câu hỏi?", "Câu khác?")
    _write(tmp_path, GOOD.replace("questions_per_attempt: 1", "questions_per_attempt: 2") + second)
    _write(tmp_path, "slug: hong\ntitle: [chưa đóng\n", "hong.yaml")
    banks, issues = check_banks(tmp_path)
    assert banks == {}
    assert any(
        i.file.endswith("thu.yaml") and i.line == 12 and "trùng" in i.message for i in issues
    )
    assert any(i.file.endswith("hong.yaml") and "YAML" in i.message for i in issues)
