"""Threshold choice by k-fold cross-validation (bot/content/evaluation.py)."""

from __future__ import annotations

from bot.content.evaluation import Case, Scored, Thresholds, choose, cross_validate, rates

GRID = [Thresholds(s / 10, e) for s in range(1, 10) for e in (5.0, 50.0)]


def _cases() -> list[Scored]:
    # In scope: the right topic with share 0.6–0.9; out of scope: some topic with share 0.1–0.4.
    found = []
    for number in range(40):
        style = ("accented", "teencode")[number % 2]
        found.append(Scored(Case(f"q{number}", "a", style), "a", 0.6 + (number % 4) / 10, 1.0))
    for number in range(20):
        found.append(Scored(Case(f"o{number}", None, "oos"), "a", 0.1 + (number % 4) / 10, 1.0))
    return found


def test_the_choice_separates_in_scope_from_out_of_scope() -> None:
    scored = _cases()
    chosen = choose(scored, GRID)
    assert chosen.share in (0.5, 0.6) and chosen.evidence == 50.0
    assert rates(scored, chosen) == (1.0, 1.0)


def test_every_case_is_held_out_once_and_folds_keep_the_styles() -> None:
    scored = _cases()
    folds = cross_validate(scored, GRID, folds=5, seed=3)
    assert len(folds) == 5
    assert all(fold.in_scope == 1.0 and fold.out_of_scope == 1.0 for fold in folds)


def test_a_threshold_that_only_fits_the_training_folds_shows_in_the_estimate() -> None:
    # One out-of-scope question scores like the in-scope ones: it costs exactly the fold it is in.
    scored = [*_cases(), Scored(Case("odd", None, "oos"), "a", 0.95, 1.0)]
    folds = cross_validate(scored, GRID, folds=5, seed=3)
    assert sorted(fold.out_of_scope for fold in folds)[0] < 1.0
    assert sum(fold.out_of_scope < 1.0 for fold in folds) == 1
