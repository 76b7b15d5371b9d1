"""Drawing questions for an attempt (unseen ones first) and shuffling their options."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable

from bot.quiz.bank import Bank


def seen_counts(drawn: Iterable[Iterable[str]]) -> Counter[str]:
    """How many earlier attempts drew each question."""
    counts: Counter[str] = Counter()
    for ids in drawn:
        counts.update(set(ids))
    return counts


def draw_questions(bank: Bank, count: int, seen: Counter[str], rng: random.Random) -> list[str]:
    """`count` question ids: never-seen ones first, then the least seen, random within each."""
    ids = [question.id for question in bank.questions]
    rng.shuffle(ids)
    ids.sort(key=lambda question_id: seen[question_id])  # stable: keeps the shuffle per tier
    return ids[: min(count, len(ids))]


def shuffled_order(size: int, rng: random.Random) -> list[int]:
    """A random order of option indexes: position shown → index in the bank."""
    order = list(range(size))
    rng.shuffle(order)
    return order
