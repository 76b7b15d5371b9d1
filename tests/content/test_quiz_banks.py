"""Quiz-bank schema: the shipped banks load, and every kind of mistake is reported with its line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import parse_snapshot, read_snapshot
from bot.content.sources import is_home_page as content_is_home_page
from bot.quiz.bank import BankError, check_banks, is_home_page, load_banks

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
    topic: cds-khai-niem
    source: {title: Nguồn, url: "https://mst.gov.vn/tin-tuc/bai-1.htm", checked: 2026-11-30}
"""
SOURCE = 'source: {title: Nguồn, url: "https://mst.gov.vn/tin-tuc/bai-1.htm", checked: 2026-11-30}'


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
    assert bank.questions[0].topic == "cds-khai-niem"
    assert bank.questions[0].source.checked == date(2026, 11, 30)


def test_source_reads_number_and_dates(tmp_path: Path) -> None:
    full = (
        'source: {title: "Luật số 91/2025/QH15", url: "https://vbpl.vn/van-ban/91",'
        ' number: "91/2025/QH15", issued: 2025-06-26, checked: "2026-11-30"}'
    )
    source = load_banks(_write(tmp_path, GOOD.replace(SOURCE, full)))["thu"].questions[0].source
    assert (source.number, source.issued, source.checked) == (
        "91/2025/QH15",
        date(2025, 6, 26),
        date(2026, 11, 30),
    )


@pytest.mark.parametrize(
    ("url", "home"),
    [
        ("https://chinhphu.vn/", True),
        ("https://chinhphu.vn", True),
        ("https://www.sbv.gov.vn/index.html", True),
        ("https://daklak.gov.vn/vi/", True),
        ("https://chinhphu.vn/?pageid=27160&docid=200280", False),
        ("https://tingia.gov.vn/trang/huong-dan.html", False),
        ("https://support.google.com/accounts/answer/32040", False),
    ],
)
def test_home_page_urls(url: str, home: bool) -> None:
    assert is_home_page(url) is home


@pytest.mark.parametrize(
    "url",
    [
        "https://mic.gov.vn/Pages/Default.aspx",
        "https://chinhphu.vn/portal/",
        "https://daklak.gov.vn/?lang=vi",
    ],
)
def test_quiz_banks_refuse_home_pages_by_the_same_rule_as_topics(tmp_path: Path, url: str) -> None:
    """One home-page rule (bot.content.sources) for topics, tips and quiz banks (issue 14)."""
    assert content_is_home_page(url)
    _write(tmp_path, GOOD.replace("https://mst.gov.vn/tin-tuc/bai-1.htm", url))
    banks, issues = check_banks(tmp_path)
    assert banks == {}
    assert [(i.line, "trang chủ" in i.message) for i in issues] == [(12, True)]


def test_question_topics_must_exist_in_the_knowledge_base(tmp_path: Path) -> None:
    _write(tmp_path, GOOD.replace("topic: cds-khai-niem", "topic: khong-co-chu-de-nay"))
    banks, issues = check_banks(tmp_path, topics={"cds-khai-niem"})
    assert banks == {}
    assert [(i.line, "khong-co-chu-de-nay" in i.message) for i in issues] == [(11, True)]
    assert check_banks(tmp_path)[1] == []  # without the topics nothing to compare with


def test_shipped_questions_cite_existing_topics_and_exact_pages() -> None:
    kb, issues = parse_snapshot(read_snapshot())
    assert kb is not None, issues
    banks, problems = check_banks(topics=set(kb.topics))
    assert problems == []
    for bank in banks.values():
        for question in bank.questions:
            assert question.source.checked is not None and not is_home_page(question.source.url)


@pytest.mark.parametrize(
    ("old", "new", "line", "words"),
    [
        ("[Một, Hai, Ba, Bốn]", "[Một, Hai, Ba]", 8, "đúng 4 phương án"),
        ("[Một, Hai, Ba, Bốn]", "[Một, Hai, Ba, một]", 8, "trùng"),
        ("correct: 0", "correct: 4", 9, "ngoài 0–3"),
        ("Vì một là đúng.", "x" * 201, 10, "tối đa 200"),
        (SOURCE, "", 6, "source"),
        ("topic: cds-khai-niem", "topic: Chủ đề", 11, "'topic'"),
        ("https://mst.gov.vn/tin-tuc/bai-1.htm", "https://mst.gov.vn/", 12, "trang chủ"),
        ("https://mst.gov.vn/tin-tuc/bai-1.htm", "https://chinhphu.vn", 12, "trang chủ"),
        ("https://mst.gov.vn/tin-tuc/bai-1.htm", "https://x.gov.vn/trang-chu/", 12, "trang chủ"),
        (", checked: 2026-11-30", "", 12, "'checked'"),
        ("checked: 2026-11-30", "checked: 30/11/2026", 12, "YYYY-MM-DD"),
        ("checked: 2026-11-30", "checked: 2999-01-01", 12, "tương lai"),
        ("checked: 2026-11-30", "issued: 2026-12-01, checked: 2026-11-30", 12, "'issued'"),
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
        i.file.endswith("thu.yaml") and i.line == 13 and "trùng" in i.message for i in issues
    )
    assert any(i.file.endswith("hong.yaml") and "YAML" in i.message for i in issues)
