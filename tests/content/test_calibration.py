"""Threshold choice by cross-validation (bot/content/evaluation.py)."""

from __future__ import annotations

from bot.content.evaluation import (
    Case,
    Scored,
    Thresholds,
    choose,
    cross_validate,
    grouped_cross_validate,
    rates,
)

GRID = [Thresholds(p / 10) for p in range(1, 10)]


def _cases(prefix: str = "") -> list[Scored]:
    # In scope: the right topic with probability 0.6–0.9; out of scope: some topic at 0.1–0.4.
    found = []
    for number in range(40):
        style = ("accented", "teencode")[number % 2]
        found.append(Scored(Case(f"{prefix}q{number}", "a", style), "a", 0.6 + (number % 4) / 10))
    for number in range(20):
        found.append(Scored(Case(f"{prefix}o{number}", None, "oos"), "a", 0.1 + (number % 4) / 10))
    return found


def test_the_choice_separates_in_scope_from_out_of_scope() -> None:
    scored = _cases()
    chosen = choose(scored, GRID)
    assert chosen.probability in (0.5, 0.6)
    assert rates(scored, chosen) == (1.0, 1.0)


def test_every_case_is_held_out_once_and_folds_keep_the_styles() -> None:
    scored = _cases()
    folds = cross_validate(scored, GRID, folds=5, seed=3)
    assert len(folds) == 5
    assert all(fold.in_scope == 1.0 and fold.out_of_scope == 1.0 for fold in folds)


def test_a_threshold_that_only_fits_the_training_folds_shows_in_the_estimate() -> None:
    # One out-of-scope question scores like the in-scope ones: it costs exactly the fold it is in.
    scored = [*_cases(), Scored(Case("odd", None, "oos"), "a", 0.95)]
    folds = cross_validate(scored, GRID, folds=5, seed=3)
    assert sorted(fold.out_of_scope for fold in folds)[0] < 1.0
    assert sum(fold.out_of_scope < 1.0 for fold in folds) == 1


def test_grouped_folds_hold_out_whole_groups_and_report_per_style() -> None:
    # Group "b" is scored lower throughout (another writer): its threshold comes from "a" and
    # "c" only, so its misses show in its own fold instead of being averaged away.
    low = [
        Scored(item.case, item.slug, item.probability - 0.3 if item.case.topic else 0.05)
        for item in _cases("b")
    ]
    folds = grouped_cross_validate({"a": _cases("a"), "b": low, "c": _cases("c")}, GRID)
    by_group = {fold.group: fold for fold in folds}
    assert by_group["a"].in_scope == 1.0 and by_group["c"].in_scope == 1.0
    assert by_group["b"].in_scope < 1.0 and by_group["b"].out_of_scope == 1.0
    report = by_group["b"].report
    assert report is not None and set(report.total) == {"accented", "teencode", "oos"}
