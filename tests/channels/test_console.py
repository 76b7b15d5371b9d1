"""The terminal chat: the same engine, buttons as numbered choices."""

from __future__ import annotations

import io

from bot.app import BotApp
from bot.channels.console import run_console


async def test_console_registers_with_numbers(bot: BotApp) -> None:
    output = io.StringIO()
    await run_console(bot, user_id="c1", stdin=io.StringIO("/start\n1\n1\n"), stdout=output)
    shown = output.getvalue()
    assert "gõ /start để bắt đầu" in shown
    assert "1. ✅ Đồng ý" in shown and "Trả lời bằng số thứ tự" in shown
    assert "Đăng ký xong" in shown
