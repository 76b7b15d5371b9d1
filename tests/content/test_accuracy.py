"""Retrieval quality on the example sets (docs/BENCHMARKS.md has the figures).

The example sets (bot/content/examples/*.jsonl) are the shipped model's training data, so these
floors say that the model still fits what it was taught (and that small talk, declines and
safety questions are handled as before); they are not estimates for unseen wording. That
estimate is the grouped cross-validation (a model trained without a whole set, measured on it):
tests/content/test_learned.py and bench/bench_retrieval.py --calibrate. A blind set for issue
14 is kept outside the project until it is measured once with `bench/bench_retrieval.py --blind
PATH`; measured ones wait in tests/content/measured/ until their misses are studied.
"""

from __future__ import annotations

import pytest

from bot.content.answers import AnswerKind, respond
from bot.content.evaluation import (
    Report,
    Thresholds,
    evaluate,
    load_cases,
    predictions,
    score_cases,
)
from bot.content.learned import EXAMPLES_DIR
from bot.content.store import index_for, load_directory

HERE = EXAMPLES_DIR
FLOORS = {  # file: (in-scope top-1, out-of-scope declined)
    "devset.jsonl": (0.98, 0.94),
    "devset_extra.jsonl": (0.98, 0.95),
    "devset_colloquial.jsonl": (0.98, 0.93),
    "holdout.jsonl": (0.98, 0.95),
    "blind.jsonl": (0.98, 0.95),
    "devset_styles.jsonl": (0.96, 0.90),
    "outside_dev.jsonl": (0.97, 0.96),
    "blind_outside.jsonl": (0.97, 0.96),
    "dev2.jsonl": (0.97, 0.96),
    "blind2.jsonl": (0.97, 0.96),
    "dev3.jsonl": (0.97, 0.96),
    "blind3.jsonl": (0.97, 0.96),
    "outside4a.jsonl": (0.97, 0.96),
    "outside4b.jsonl": (0.97, 0.96),
    "outside5.jsonl": (0.97, 0.96),
}
STYLES = ["accented", "unaccented", "teencode", "typo", "long", "short", "colloquial"]
# Safety topics: a question about one of them must never get an unrelated topic's answer.
SAFETY = {"lua-dao-truc-tuyen", "mat-khau-an-toan", "bao-ve-du-lieu-ca-nhan"}


@pytest.fixture(scope="module")
def index():  # type: ignore[no-untyped-def]
    return index_for(load_directory()[1])


def _predict(index):  # type: ignore[no-untyped-def]
    def predict(question: str) -> str | None:
        answer = respond(question, index)
        return answer.topic.slug if answer.kind is AnswerKind.TOPIC and answer.topic else None

    return predict


@pytest.fixture(scope="module")
def reports(index) -> dict[str, Report]:  # type: ignore[no-untyped-def]
    return {name: evaluate(load_cases(HERE / name), _predict(index)) for name in FLOORS}


def test_dev_set_has_the_agreed_shape() -> None:
    cases = load_cases(HERE / "devset.jsonl")
    in_scope = [case for case in cases if case.topic]
    assert len(in_scope) >= 200 and len(cases) - len(in_scope) >= 40
    per_topic: dict[str, int] = {}
    for case in in_scope:
        per_topic[case.topic or ""] = per_topic.get(case.topic or "", 0) + 1
    assert len(per_topic) == 30 and min(per_topic.values()) >= 5


@pytest.mark.parametrize("name", list(FLOORS))
def test_in_scope_top1_and_out_of_scope_rejection(reports: dict[str, Report], name: str) -> None:
    report, (in_scope, out_of_scope) = reports[name], FLOORS[name]
    assert report.in_scope >= in_scope, report.misses
    assert report.out_of_scope >= out_of_scope, report.misses


def test_small_talk_never_gets_a_topic(reports: dict[str, Report]) -> None:
    assert reports["devset.jsonl"].small_talk == 1.0, reports["devset.jsonl"].misses


@pytest.mark.parametrize("style", STYLES)
def test_every_writing_style_is_understood(reports: dict[str, Report], style: str) -> None:
    """Each of the seven styles over all example sets (what the model was taught)."""
    right = sum(report.right.get(style, 0) for report in reports.values())
    total = sum(report.total.get(style, 0) for report in reports.values())
    misses = [m for r in reports.values() for m in r.misses if m[0].style == style]
    assert total >= 60 and right / total >= 0.95, misses


def test_no_safety_question_gets_an_unrelated_topic(index) -> None:  # type: ignore[no-untyped-def]
    """A scam, password or personal-data question is answered from a safety topic or declined,
    never with an unrelated topic (the worst miss: a scam victim sent to cashless payments)."""
    predict = _predict(index)
    wrong = []
    for name in FLOORS:
        for case in load_cases(HERE / name):
            if case.topic in SAFETY:
                predicted = predict(case.question)
                if predicted is not None and predicted not in SAFETY:
                    wrong.append((name, case.question, predicted))
    assert wrong == []


def test_the_calibration_scores_decide_as_the_bot_does(index) -> None:  # type: ignore[no-untyped-def]
    """Cross-validation picks the threshold from `score_cases`; with the shipped one it must
    give exactly the bot's answers, or the chosen threshold would not mean what it says."""
    cases = load_cases(HERE / "devset.jsonl") + load_cases(HERE / "outside_dev.jsonl")
    thresholds = Thresholds(index.calibration.probability)
    chosen = predictions(score_cases(cases, index), thresholds)
    assert chosen == [_predict(index)(case.question) for case in cases]
