"""Demo deadlines (`cdsbot demo load`): due a few days from today, created once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import yaml

from bot.app import BotApp


async def load_reminders_demo(bot: BotApp, path: Path, *, echo: Callable[[str], None]) -> list[str]:
    """Add the demo deadlines that do not exist yet (existing ones keep their dates)."""
    deadlines = bot.services.reminders.deadlines
    content = await asyncio.to_thread(path.read_text, encoding="utf-8")
    data = yaml.safe_load(content) or {}
    entries = data.get("deadlines") or []
    missing = [entry for entry in entries if await deadlines.get(str(entry.get("code"))) is None]
    if not missing:
        echo("Hạn mẫu đã có sẵn.")
        return []
    report = await deadlines.import_text(yaml.safe_dump({"deadlines": missing}, allow_unicode=True))
    if report.errors:
        return report.errors
    echo(f"Hạn mẫu: {report.created} mới.")
    return []
