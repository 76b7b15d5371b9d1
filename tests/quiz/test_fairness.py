"""Bank fairness: synthetic banks that pass and fail, the figures, and the shipped banks."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.model import Source
from bot.quiz.bank import Bank, Question, load_banks
from bot.quiz.fairness import (
    MAX_LONGEST_SHARE,
    check_fairness,
    is_uneven,
    measure,
    problems,
    report,
)

SOURCE = Source("Nguồn", "https://example.gov.vn/van-ban/1")
# Four options of similar length (33, 28, 25, 23 characters: the first is the longest, the last
# the shortest), the same sentence shape.
EVEN = (
    "Gọi lại số quen biết để hỏi trước",
    "Chuyển trước một nửa số tiền",
    "Nhắn hỏi lại trên Zalo đó",
    "Đợi một ngày rồi chuyển",
)


def _question(index: int, options: tuple[str, ...], correct: int, text: str = "") -> Question:
    return Question(
        f"q-{index:03d}", text or f"Câu hỏi số {index}?", options, correct, "Vì…", SOURCE, "t"
    )


def _bank(questions: list[Question]) -> Bank:
    return Bank("thu", "Bộ thử", "", 0.8, 10, tuple(questions))


def _longest_first(index: int) -> Question:
    """The correct option (A) is clearly the longest: the cue the check is about."""
    return _question(
        index,
        ("Không chuyển, gọi lại số quen biết để hỏi cho chắc chắn", "Chuyển", "Chờ", "Nhắn"),
        0,
    )


def _even(index: int, correct: int) -> Question:
    return _question(index, EVEN, correct)


def test_correct_always_longest_fails_with_the_questions_named() -> None:
    fairness = measure(_bank([_longest_first(i) for i in range(12)]))
    assert fairness.share(fairness.longest) == 1.0
    assert fairness.longest_guess == 1.0
    found = problems(fairness)
    assert any("dài nhất ở 12/12 câu" in message and "q-000" in message for message in found)
    assert any("chênh lệch" in message for message in found)  # "Chờ" vs a long sentence


def test_similar_lengths_with_the_answer_spread_pass() -> None:
    # The correct option is the longest (index 0) in 3 of 12 questions: a quarter, like chance.
    fairness = measure(_bank([_even(i, i % 4) for i in range(12)]))
    assert len(fairness.longest) == 3
    assert fairness.positions == (3, 3, 3, 3)
    assert fairness.uneven == ()
    assert problems(fairness) == []


@pytest.mark.parametrize(("longest", "fails"), [(4, False), (5, True)])
def test_the_bound_is_a_third_of_the_questions(longest: int, fails: bool) -> None:
    questions = [_even(i, 0) for i in range(longest)]
    questions += [_even(i, 1 + i % 3) for i in range(longest, 12)]
    fairness = measure(_bank(questions))
    assert len(fairness.longest) == longest
    assert (fairness.share(fairness.longest) > MAX_LONGEST_SHARE) is fails
    assert bool(problems(fairness)) is fails


def test_wildly_uneven_options_fail_even_when_the_answer_is_not_the_longest() -> None:
    uneven = ("Có", "Không, vì lý do này được viết dài hơn hẳn", "Tùy", "Chưa rõ")
    questions = [_question(i, uneven, i % 2 * 2) for i in range(3)]  # answers "Có" / "Tùy"
    questions += [_even(i, i % 4) for i in range(3, 20)]
    fairness = measure(_bank(questions))
    assert fairness.uneven == ("q-000", "q-001", "q-002")
    assert fairness.share(fairness.longest) <= MAX_LONGEST_SHARE
    assert [m for m in problems(fairness) if "chênh lệch" in m]


def test_uneven_needs_both_the_ratio_and_a_real_gap() -> None:
    assert not is_uneven(_question(0, ("Quê quán", "Quốc tịch", "Tên", "Dân tộc"), 0))
    assert is_uneven(_question(0, ("Có", "Không bao giờ, trong mọi trường hợp", "A", "B"), 0))


def test_other_cues_are_measured() -> None:
    hedged = _question(
        0,
        ("Thường là lừa đảo nên cúp máy", "Là nhân viên ngân hàng thật", "Là nhà mạng", "Là lỗi"),
        0,
    )
    echo = _question(
        1,
        ("Bật xác thực hai lớp cho tài khoản", "Đổi ảnh đại diện", "Tắt điện thoại", "Xóa tin"),
        0,
        text="Vì sao nên bật xác thực hai lớp?",
    )
    shortest = _question(2, ("Có", "Không được", "Chỉ khi được phép", "Tùy trường hợp"), 0)
    fairness = measure(_bank([hedged, echo, shortest]))
    assert fairness.hedged == ("q-000",)
    assert fairness.echoing == ("q-001",)
    assert fairness.shortest == ("q-002",)
    figures = report(fairness)
    assert figures["positions"] == {"A": 3, "B": 0, "C": 0, "D": 0}
    assert figures["hedged_only_correct"] == 1 and figures["echoing_correct"] == 1


def test_words_containing_thuong_are_not_hedges() -> None:
    # "bồi thường" (compensation), "bình thường", "thường xuyên" are not hedges; "thường" is.
    plain = ("Khiếu nại, đòi bồi thường", "Vẫn bình thường", "Kiểm tra thường xuyên", "Bỏ qua")
    hedge = ("Thường là lừa đảo", "Vẫn bình thường", "Kiểm tra thường xuyên", "Bỏ qua")
    fairness = measure(_bank([_question(0, plain, 0), _question(1, hedge, 0)]))
    assert fairness.hedged == ("q-001",)


def test_visibly_longest_guess_splits_near_ties() -> None:
    # The answer and one distractor are within 10 % of each other: the guesser picks one of two.
    near = ("Gọi lại số quen để hỏi trước", "Gọi lại số quen để hỏi sau", "Chờ", "Nhắn tin")
    assert measure(_bank([_question(0, near, 0)])).longest_guess == 0.5


def test_check_fairness_points_at_the_bank_file(tmp_path: Path) -> None:
    issues = check_fairness({"thu": _bank([_longest_first(i) for i in range(6)])}, tmp_path)
    assert issues and all(issue.file.endswith("thu.yaml") for issue in issues)


def test_shipped_banks_are_fair() -> None:
    for bank in load_banks().values():
        fairness = measure(bank)
        assert problems(fairness) == [], bank.slug
        assert fairness.share(fairness.shortest) >= 0.15, bank.slug  # no "never the shortest"
        assert len(bank.questions) >= 40, bank.slug
