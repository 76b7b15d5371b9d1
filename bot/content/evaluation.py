"""Measuring retrieval on a question set (bot/content/examples/*.jsonl): accuracy per style.

A case is `{"q": ..., "topic": <slug or null>, "style": ...}`. An in-scope case is right when the
predicted topic is its topic; an out-of-scope or small-talk case is right when nothing is answered.
The estimate for unseen wording is grouped: each set (a writer, an occasion) is scored by a model
trained without it (`held_out_scores`), and the answering threshold, one for every style, is
chosen on the other sets' held-out scores (`grouped_cross_validate`, run by
bench/bench_retrieval.py --calibrate).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.content.analysis import Analyzer, load_lexicon
from bot.content.index import TopicIndex
from bot.content.learned import OUT_OF_SCOPE as NO_TOPIC
from bot.content.learned import Example, Settings, topic_examples, train
from bot.content.model import KnowledgeBase
from bot.content.smalltalk import read

OUT_OF_SCOPE = "oos"
SMALL_TALK = "smalltalk"


@dataclass(frozen=True, slots=True)
class Case:
    """One question with the topic it should get (None: the bot should not answer a topic)."""

    question: str
    topic: str | None
    style: str


def load_cases(path: Path) -> list[Case]:
    """Read a JSON-lines question set."""
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            cases.append(Case(row["q"], row.get("topic"), row.get("style", "")))
    return cases


@dataclass(slots=True)
class Report:
    """Right/total per style, and the misses for inspection."""

    right: dict[str, int] = field(default_factory=dict)
    total: dict[str, int] = field(default_factory=dict)
    misses: list[tuple[Case, str | None]] = field(default_factory=list)

    def _ratio(self, styles: Iterable[str]) -> float:
        styles = list(styles)
        total = sum(self.total.get(style, 0) for style in styles)
        return sum(self.right.get(style, 0) for style in styles) / total if total else 0.0

    @property
    def in_scope(self) -> float:
        """Share of in-scope questions answered with the right topic."""
        return self._ratio(s for s in self.total if s not in (OUT_OF_SCOPE, SMALL_TALK))

    @property
    def out_of_scope(self) -> float:
        """Share of out-of-scope questions the bot declined."""
        return self._ratio([OUT_OF_SCOPE])

    @property
    def small_talk(self) -> float:
        """Share of small talk answered without a topic."""
        return self._ratio([SMALL_TALK])

    def style(self, name: str) -> float:
        """Accuracy on one writing style."""
        return self._ratio([name])


def evaluate(cases: Iterable[Case], predict: Callable[[str], str | None]) -> Report:
    """Run `predict` (question → topic slug or None) over the cases."""
    report = Report()
    for case in cases:
        _count(report, case, predict(case.question))
    return report


def _count(report: Report, case: Case, predicted: str | None) -> None:
    ok = predicted == case.topic
    # An out-of-scope case counts as out of scope whatever style it is written in.
    kind = case.style if case.topic or case.style == SMALL_TALK else OUT_OF_SCOPE
    report.total[kind] = report.total.get(kind, 0) + 1
    report.right[kind] = report.right.get(kind, 0) + int(ok)
    if not ok:
        report.misses.append((case, predicted))


@dataclass(frozen=True, slots=True)
class Scored:
    """A case with the best topic the ranking found and its confidence (before any threshold):
    the example-trained model's probability (bot.content.learned)."""

    case: Case
    slug: str | None  # None: small talk or a declined kind of question, never answered
    probability: float = 0.0


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Answer when the best topic's probability reaches `probability`."""

    probability: float


GRID = [Thresholds(step / 200) for step in range(10, 200)]


def predictions(scored: Sequence[Scored], thresholds: Thresholds) -> list[str | None]:
    """What the bot would answer for each case with these thresholds."""
    return [
        s.slug if s.slug is not None and s.probability >= thresholds.probability else None
        for s in scored
    ]


def rates(scored: Sequence[Scored], thresholds: Thresholds) -> tuple[float, float]:
    """(in-scope answered with the right topic, out-of-scope declined) with these thresholds."""
    right_in = total_in = right_out = total_out = 0
    for item, predicted in zip(scored, predictions(scored, thresholds), strict=True):
        if item.case.style == SMALL_TALK:
            continue
        if item.case.topic:
            total_in += 1
            right_in += predicted == item.case.topic
        else:
            total_out += 1
            right_out += predicted is None
    return (right_in / total_in if total_in else 0.0, right_out / total_out if total_out else 0.0)


def choose(scored: Sequence[Scored], grid: Iterable[Thresholds] = GRID) -> Thresholds:
    """The threshold that maximises the worse of the two rates (ties: their sum, then caution)."""
    best: tuple[tuple[float, float, float], Thresholds] | None = None
    for thresholds in grid:
        right_in, right_out = rates(scored, thresholds)
        key = (
            round(min(right_in, right_out), 9),
            round(right_in + right_out, 9),
            thresholds.probability,
        )
        if best is None or key > best[0]:
            best = (key, thresholds)
    if best is None:
        raise ValueError("empty grid")
    return best[1]


@dataclass(frozen=True, slots=True)
class FoldResult:
    """One held-out fold: the threshold chosen without it and how it did on it."""

    chosen: Thresholds
    in_scope: float
    out_of_scope: float
    group: str = ""
    report: Report | None = None  # per style, for grouped folds


def cross_validate(
    scored: Sequence[Scored], grid: Sequence[Thresholds] = GRID, folds: int = 5, seed: int = 14
) -> list[FoldResult]:
    """k-fold cross-validation of the threshold choice alone: choose on k−1 folds, measure on
    the last. Cases are shuffled with `seed` and dealt into folds within each style.

    It says how well the threshold generalises, not the model: use `grouped_cross_validate`
    for an estimate on unseen wording.
    """
    rng = random.Random(seed)
    by_style: dict[str, list[int]] = {}
    for position, item in enumerate(scored):
        by_style.setdefault(item.case.style, []).append(position)
    fold_of = [0] * len(scored)
    dealt = 0
    for style in sorted(by_style):
        positions = by_style[style]
        rng.shuffle(positions)
        for position in positions:
            fold_of[position] = dealt % folds
            dealt += 1
    results = []
    for fold in range(folds):
        train = [item for item, f in zip(scored, fold_of, strict=True) if f != fold]
        test = [item for item, f in zip(scored, fold_of, strict=True) if f == fold]
        chosen = choose(train, grid)
        right_in, right_out = rates(test, chosen)
        results.append(FoldResult(chosen, right_in, right_out))
    return results


def score_cases(cases: Iterable[Case], index: TopicIndex) -> list[Scored]:
    """Each case's best topic and probability, deciding small talk and declines as `respond`."""
    lexicon = load_lexicon()
    scored = []
    for case in cases:
        reading = read(case.question, lexicon)
        if reading.kind is not None or lexicon.declined(reading.question):
            scored.append(Scored(case, None))
            continue
        best = index.rank(reading.question, limit=1).best
        scored.append(
            Scored(case, best.slug, best.score * index.calibration.probability)
            if best
            else Scored(case, None)
        )
    return scored


def held_out_scores(
    groups: dict[str, list[Case]],
    kb: KnowledgeBase,
    settings: Settings | None = None,
    *,
    only: Sequence[str] | None = None,
) -> dict[str, list[Scored]]:
    """Each group's cases scored by a model trained without that group (topics' own examples
    and every other group). Groups are files, i.e. writers and occasions: holding out single
    questions would let a writer's habits leak from training into the estimate."""
    lexicon = load_lexicon()
    analyzer = Analyzer(lexicon)
    topics = topic_examples(kb.topics.values())
    cache: dict[str, list[str]] = {}
    found = {}
    for name in only or sorted(groups):
        training = [
            Example(case.question, case.topic or NO_TOPIC, other)
            for other, cases in groups.items()
            if other != name
            for case in cases
            if case.style != SMALL_TALK
        ]
        model = train(topics + training, lexicon, settings, cache=cache)
        index = TopicIndex(kb, analyzer, classifier=model)
        found[name] = score_cases(groups[name], index)
    return found


def grouped_cross_validate(
    held_out: dict[str, list[Scored]], grid: Sequence[Thresholds] = GRID
) -> list[FoldResult]:
    """Leave one group out: the threshold chosen on the other groups' held-out scores, measured
    on this group's (which its model never saw)."""
    results = []
    for name, scored in held_out.items():
        others = [item for other, items in held_out.items() if other != name for item in items]
        chosen = choose(others, grid)
        report = evaluate_scored(scored, chosen)
        right_in, right_out = rates(scored, chosen)
        results.append(FoldResult(chosen, right_in, right_out, name, report))
    return results


def evaluate_scored(scored: Sequence[Scored], thresholds: Thresholds) -> Report:
    """A per-style report from scored cases and a threshold (as `evaluate` would give)."""
    report = Report()
    for item, predicted in zip(scored, predictions(scored, thresholds), strict=True):
        _count(report, item.case, predicted)
    return report
