"""Leaderboard correctness on a small hand-computed example: units of different sizes, ties."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.app import BotApp
from tests.quiz.factories import SETS, add_result, load_tree, make_staff, make_target


def day(n: int) -> datetime:
    return datetime(2026, 5, n, 3, 0, tzinfo=UTC)


async def _passes(
    bot: BotApp, unit_id: int, count: int, score: float, last_day: int, prefix: str
) -> list[int]:
    ids = []
    for i in range(count):
        uid = await make_staff(bot, unit_id, f"{prefix} Nguyễn Văn {chr(65 + i)}")
        await add_result(bot, uid, SETS[0], score, day(1))
        await add_result(bot, uid, SETS[1], score, day(last_day if i == count - 1 else 1))
        ids.append(uid)
    return ids


async def test_ranking_by_rate_then_average_then_first_to_reach(bot: BotApp) -> None:
    units = await load_tree(bot)
    target_id = await make_target(bot)
    # A: 8 of 10 passed, average 0.9; one more registered passed only in practice, one passed
    # before the period began: neither counts.
    await _passes(bot, units["QA"], 8, 0.9, 1, "A")
    late = await make_staff(bot, units["QA"], "A Trần Thị Luyện")
    await add_result(bot, late, SETS[0], 1.0, day(2), practice=True)
    await add_result(bot, late, SETS[1], 1.0, day(2), practice=True)
    early = await make_staff(bot, units["QA"], "A Lê Văn Sớm")
    await add_result(bot, early, SETS[0], 1.0, datetime(2025, 12, 1, tzinfo=UTC))
    await add_result(bot, early, SETS[1], 1.0, datetime(2025, 12, 1, tzinfo=UTC))
    # B: 4 of 5 passed, average 1.0 → same rate as A (0.8), better average.
    await _passes(bot, units["QB"], 4, 1.0, 1, "B")
    await make_staff(bot, units["QB"], "B Phạm Văn Chưa")
    # C: 2 of 2 → rate 1.0 although it is the smallest unit.
    await _passes(bot, units["QC"], 2, 0.8, 1, "C")
    # D and E: 2 of 4, same average; E got there first (day 2, D on day 3).
    await _passes(bot, units["QD"], 2, 0.9, 3, "D")
    await _passes(bot, units["QE"], 2, 0.9, 2, "E")
    # F1 and G: nobody yet → exact tie, same rank. F and the root have no headcount.

    board = await bot.services.quiz.progress.leaderboard(target_id)
    assert board is not None
    table = [
        (
            row.rank,
            row.code,
            row.registered,
            row.passed,
            round(row.rate, 3),
            round(row.avg_score, 3),
        )
        for row in board.rows
    ]
    assert table == [
        (1, "QC", 2, 2, 1.0, 0.8),
        (2, "QB", 5, 4, 0.8, 1.0),
        (3, "QA", 10, 8, 0.8, 0.9),
        (4, "QE", 2, 2, 0.5, 0.9),
        (5, "QD", 2, 2, 0.5, 0.9),
        (6, "QF1", 0, 0, 0.0, 0.0),
        (6, "QG", 0, 0, 0.0, 0.0),
    ]
    assert board.rows[3].reached_at == day(2) and board.rows[4].reached_at == day(3)
    assert board.totals == (31, 21, 18)

    # Only the units under F when F is the chosen parent.
    sub = await bot.services.quiz.progress.leaderboard(target_id, units["QF"])
    assert sub is not None and [row.code for row in sub.rows] == ["QF1"]

    quiz = bot.services.quiz
    [unit_a] = await quiz.unit_progress(units["QA"])
    assert (unit_a.headcount, unit_a.registered, unit_a.passed, unit_a.rate) == (10, 10, 8, 0.8)
    below = await quiz.staff_below_target(target_id)
    assert late in below and early in below and len(below) == 3  # + B's unregistered passer
    assert await quiz.staff_below_target() == below
    [mine] = await quiz.personal_progress(late)
    assert mine.sets_remaining == 2 and mine.unit_rate == 0.8 and mine.required_rate == 0.8
    [active] = await quiz.active_targets(date(2026, 6, 1))
    assert active.id == target_id and active.unit_name == "Khối thử nghiệm"
    assert await quiz.active_targets(date(2026, 7, 1)) == []
