"""The demo nomination round, so that a freshly started bot accepts nominations at once."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import BotApp
from bot.core.clock import fmt_date
from bot.messages import load_catalog


async def load_nominations_demo(bot: BotApp, *, echo: Callable[[str], None] = print) -> list[str]:
    """Make sure a round is open today (the demo round, opened for 90 days, if none is)."""
    t = load_catalog()
    found, created = await bot.services.nominations.rounds.ensure_demo(
        name=t("nominate.demo_round_name")
    )
    tz = bot.settings.tz
    state = "mới mở" if created else "đang mở"
    echo(
        f"Đợt đề cử {state}: {found.name} (mã {found.code}), đến hết "
        f"{fmt_date(found.closes_on, tz)}."
    )
    return []
