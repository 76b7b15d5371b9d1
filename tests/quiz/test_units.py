"""Pure parts of the quiz: the shipped banks, drawing unseen questions first, ranking ties,
percent formatting and Excel sheet names."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from bot.messages.numbers import percent
from bot.quiz.bank import check_banks
from bot.quiz.ranking import UnitInfo, rank_units
from bot.quiz.report import sheet_name
from bot.quiz.selection import draw_questions, seen_counts, shuffled_order
from bot.storage.repositories.quiz_progress import UnitTally


def test_shipped_banks_are_valid_and_large_enough() -> None:
    banks, issues = check_banks()
    assert issues == []
    assert len(banks) >= 5
    # At least 40 questions: four attempts of 10 by the same person never repeat a question.
    assert all(len(bank.questions) >= 40 for bank in banks.values())


def test_unseen_first_then_least_seen() -> None:
    banks, _ = check_banks()
    bank = banks["ky-nang-so-co-ban"]
    rng = random.Random(1)
    history: list[list[str]] = []
    for _ in range(5):
        history.append(draw_questions(bank, 10, seen_counts(history), rng))
    first_four = [q for drawn in history[:4] for q in drawn]
    assert len(set(first_four)) == 40  # 40 or more questions: no repeat in four attempts
    unseen_before_fifth = {q.id for q in bank.questions} - set(first_four)
    assert unseen_before_fifth <= set(history[4])
    counts = Counter(q for drawn in history for q in drawn)
    assert max(counts.values()) - min(counts.get(q.id, 0) for q in bank.questions) <= 1


@given(st.integers(min_value=1, max_value=8), st.integers(min_value=0, max_value=10**6))
def test_shuffled_order_is_a_permutation(size: int, seed: int) -> None:
    order = shuffled_order(size, random.Random(seed))
    assert sorted(order) == list(range(size))


def test_rank_shares_exact_ties_and_skips_units_without_headcount() -> None:
    when = datetime(2026, 5, 1, tzinfo=UTC)
    units = [
        UnitInfo(1, "A", "A", 3),
        UnitInfo(2, "B", "B", 6),
        UnitInfo(3, "C", "C", 0),
        UnitInfo(4, "D", "D", 6),
        UnitInfo(5, "E", "E", 4),
    ]
    tallies = {
        1: UnitTally(1, 3, 1, 1.8, 2, when),  # 1/3, average 0.9
        2: UnitTally(2, 6, 2, 3.6, 4, when),  # 2/6 = 1/3 exactly, same average and time
        4: UnitTally(4, 6, 7, 7.0, 7, when),  # more passes than headcount: capped at 100 %
    }
    rows = rank_units(units, tallies)
    assert [(r.rank, r.code) for r in rows] == [(1, "D"), (2, "A"), (2, "B"), (4, "E")]
    assert rows[0].rate == 1.0


def test_percent_and_sheet_names() -> None:
    assert percent(0.8) == "80%" and percent(0.875) == "87,5%" and percent(1 / 3) == "33,3%"
    taken: set[str] = set()
    assert sheet_name("2026/H1:KSC", taken) == "2026-H1-KSC"
    assert sheet_name("2026/H1:KSC", taken) == "2026-H1-KSC (2)"
    long = sheet_name("X" * 40, taken)
    assert len(long) == 31
