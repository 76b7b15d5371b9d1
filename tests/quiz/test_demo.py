"""The demo data keeps showing a meaningful leaderboard: demo staff stand for confirmed staff."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotApp
from bot.quiz.demo import load_quiz_demo


async def test_demo_leaderboard_counts_the_demo_staff(bot: BotApp) -> None:
    problems = await load_quiz_demo(bot, Path("bot/demo/quiz.yaml"), echo=lambda _: None)
    assert problems == []
    targets = await bot.services.quiz.targets.all()
    assert targets
    boards = [await bot.services.quiz.progress.leaderboard(target.id) for target in targets]
    rows = [row for board in boards if board is not None for row in board.rows]
    assert sum(row.passed for row in rows) > 0
    assert len({row.rate for row in rows}) > 3  # units differ: a board worth looking at
    headcount, registered, _ = next(board for board in boards if board is not None).totals
    assert 0 < registered <= headcount
