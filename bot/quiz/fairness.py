"""Test-wise cues in a quiz bank: can someone pass without knowing the answers?

A bank is unfair when the form of the options gives the answer away. The classic cue is length:
authors make the right option careful and complete and the wrong ones short, so "pick the
longest" passes. `cdsbot content check` fails a bank where

- the correct option is the longest (ties included) in more than a third of its questions
  (chance is a quarter), or
- more than a tenth of its questions have options of wildly different length: the longest
  more than twice as long as the shortest and at least 20 characters longer.

Other cues are measured and reported, not enforced: the correct option being the shortest, the
stored position of the correct option (options are shuffled per attempt anyway), the expected
score of always picking the visibly longest option, the correct option being the only one with a
hedge ("thường", "có thể"), and the correct option echoing the question's wording most.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bot.content.yaml_lines import ContentIssue, display_path
from bot.core.text import normalize
from bot.quiz.bank import Bank, Question

MAX_LONGEST_SHARE = 1 / 3
UNEVEN_RATIO = 2.0
UNEVEN_MIN_GAP = 20
MAX_UNEVEN_SHARE = 0.10
# Options within this fraction of the longest look equally long to a reader.
VISIBLE_TIE = 0.10
# "thường" hedges ("usually"), but not in "bồi thường" (compensation), "bình thường" (normal) or
# "thường xuyên" (regularly).
_HEDGES = re.compile(
    r"\b((?<!bồi )(?<!bình )thường(?! xuyên)|có thể|tùy|tuỳ|một số|phần lớn|chủ yếu|đa số"
    r"|hầu hết|nếu cần)\b"
)
_SYLLABLE = re.compile(r"[^\W_]+", re.UNICODE)
_LISTED = 8  # question ids named in a message before "…"


@dataclass(frozen=True)
class Fairness:
    """How much the options of one bank give the answer away, with the questions concerned."""

    slug: str
    questions: int
    longest: tuple[str, ...]  # the correct option is (one of) the longest
    shortest: tuple[str, ...]  # the correct option is (one of) the shortest
    uneven: tuple[str, ...]  # options of wildly different length
    positions: tuple[int, ...]  # how often the correct option is stored as A, B, C, D
    longest_guess: float  # expected score of always picking the visibly longest option
    hedged: tuple[str, ...]  # only the correct option hedges ("thường", "có thể"…)
    echoing: tuple[str, ...]  # the correct option repeats the question's wording most

    def share(self, ids: tuple[str, ...]) -> float:
        """`ids` as a share of the bank's questions."""
        return len(ids) / self.questions if self.questions else 0.0


def _lengths(question: Question) -> list[int]:
    return [len(option) for option in question.options]


def is_uneven(question: Question) -> bool:
    """Whether the options differ wildly in length (see the module docstring)."""
    lengths = _lengths(question)
    longest, shortest = max(lengths), min(lengths)
    return longest > UNEVEN_RATIO * shortest and longest - shortest >= UNEVEN_MIN_GAP


def _longest_guess(question: Question) -> float:
    """The chance that picking a visibly longest option (at random among them) is right."""
    lengths = _lengths(question)
    floor = (1 - VISIBLE_TIE) * max(lengths)
    looks_longest = [index for index, length in enumerate(lengths) if length >= floor]
    return 1 / len(looks_longest) if question.correct in looks_longest else 0.0


def _hedged(question: Question) -> bool:
    hedging = [bool(_HEDGES.search(normalize(option).lower())) for option in question.options]
    return hedging[question.correct] and sum(hedging) == 1


def _pairs(text: str) -> set[tuple[str, str]]:
    words = _SYLLABLE.findall(normalize(text).lower())
    return set(zip(words, words[1:], strict=False))


def _echoing(question: Question) -> bool:
    asked = _pairs(question.text)
    shared = [len(asked & _pairs(option)) for option in question.options]
    best = shared[question.correct]
    return best > 0 and all(n < best for i, n in enumerate(shared) if i != question.correct)


def measure(bank: Bank) -> Fairness:
    """The cues of one bank."""
    questions = bank.questions
    positions = [0] * max((len(q.options) for q in questions), default=4)
    for question in questions:
        positions[question.correct] += 1
    return Fairness(
        slug=bank.slug,
        questions=len(questions),
        longest=tuple(q.id for q in questions if _lengths(q)[q.correct] == max(_lengths(q))),
        shortest=tuple(q.id for q in questions if _lengths(q)[q.correct] == min(_lengths(q))),
        uneven=tuple(q.id for q in questions if is_uneven(q)),
        positions=tuple(positions),
        longest_guess=(
            sum(_longest_guess(q) for q in questions) / len(questions) if questions else 0.0
        ),
        hedged=tuple(q.id for q in questions if _hedged(q)),
        echoing=tuple(q.id for q in questions if _echoing(q)),
    )


def _ids(ids: tuple[str, ...]) -> str:
    listed = ", ".join(ids[:_LISTED])
    return listed + (", …" if len(ids) > _LISTED else "")


def problems(fairness: Fairness) -> list[str]:
    """What makes the bank unfair, in words for its editor; empty when it is fair."""
    found: list[str] = []
    total = fairness.questions
    if fairness.share(fairness.longest) > MAX_LONGEST_SHARE:
        found.append(
            f"đáp án đúng là phương án dài nhất ở {len(fairness.longest)}/{total} câu "
            f"({fairness.share(fairness.longest):.0%}, tối đa {MAX_LONGEST_SHARE:.0%}): "
            f"người đoán “chọn câu dài nhất” sẽ đạt. Viết lại phương án ở các câu: "
            f"{_ids(fairness.longest)}"
        )
    if fairness.share(fairness.uneven) > MAX_UNEVEN_SHARE:
        found.append(
            f"{len(fairness.uneven)}/{total} câu có phương án dài ngắn quá chênh lệch "
            f"(dài nhất gấp hơn {UNEVEN_RATIO:g} lần và hơn {UNEVEN_MIN_GAP} ký tự so với "
            f"ngắn nhất; tối đa {MAX_UNEVEN_SHARE:.0%} số câu): {_ids(fairness.uneven)}"
        )
    return found


def check_fairness(banks: Mapping[str, Bank], directory: Path) -> list[ContentIssue]:
    """A problem for each unfair bank, pointing at its file."""
    issues: list[ContentIssue] = []
    for slug, bank in sorted(banks.items()):
        name = display_path(directory / f"{slug}.yaml")
        issues.extend(ContentIssue(name, 1, message) for message in problems(measure(bank)))
    return issues


def report(fairness: Fairness) -> dict[str, object]:
    """The figures of one bank, for `cdsbot content check --json`."""
    return {
        "questions": fairness.questions,
        "longest_share": round(fairness.share(fairness.longest), 3),
        "shortest_share": round(fairness.share(fairness.shortest), 3),
        "uneven": len(fairness.uneven),
        "positions": dict(zip("ABCD", fairness.positions, strict=False)),
        "longest_guess": round(fairness.longest_guess, 3),
        "hedged_only_correct": len(fairness.hedged),
        "echoing_correct": len(fairness.echoing),
    }
