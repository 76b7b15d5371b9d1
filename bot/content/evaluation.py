"""Measuring retrieval on a question set (tests/content/*.jsonl): accuracy per writing style.

A case is `{"q": ..., "topic": <slug or null>, "style": ...}`. An in-scope case is right when the
predicted topic is its topic; an out-of-scope or small-talk case is right when nothing is answered.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

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
        predicted = predict(case.question)
        ok = predicted == case.topic
        report.total[case.style] = report.total.get(case.style, 0) + 1
        report.right[case.style] = report.right.get(case.style, 0) + int(ok)
        if not ok:
            report.misses.append((case, predicted))
    return report
