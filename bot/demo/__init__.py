"""Demo data shipped with the bot (made-up figures, real names), loaded by `cdsbot demo load`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.app import BotApp
from bot.nominations.demo import load_nominations_demo
from bot.quiz.demo import load_quiz_demo
from bot.scheduler.demo import load_reminders_demo

DEMO_DIR = Path(__file__).parent


async def load_demo(bot: BotApp, *, echo: Callable[[str], None] = print) -> list[str]:
    """Load every demo file; returns problems (empty when all went well). Safe to repeat."""
    problems: list[str] = []
    report = await bot.services.units.import_csv(DEMO_DIR / "units.csv")
    if report.ok:
        echo(f"Đơn vị mẫu: {report.created} mới, {report.updated} cập nhật.")
    else:
        problems.extend(report.errors)
        return problems
    problems.extend(await load_quiz_demo(bot, DEMO_DIR / "quiz.yaml", echo=echo))
    problems.extend(await load_nominations_demo(bot, echo=echo))
    problems.extend(await load_reminders_demo(bot, DEMO_DIR / "deadlines.yaml", echo=echo))
    return problems
