"""The terminal chat (`cdsbot chat`): the same engine, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bot.app import BotApp
from bot.channels.render import numbered
from bot.core.events import IncomingEvent
from bot.core.replies import Document, Image, Reply, Text
from bot.messages import load_catalog

CHANNEL = "console"


def render(reply: Reply) -> str:
    """A reply as terminal text."""
    t = load_catalog()
    if isinstance(reply, Text):
        return numbered(reply, t("common.numbered_hint"))
    if isinstance(reply, Image):
        return f"[Hình ảnh] {reply.caption}".strip()
    if isinstance(reply, Document):
        return f"[Tệp {reply.file_name}] {reply.caption}".strip()
    return str(reply)


async def run_console(
    app: BotApp,
    *,
    user_id: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Read lines, print replies, until end of input or 'thoat'."""
    user = user_id or getpass.getuser()
    stdout.write("Trợ lý Chuyển đổi số — gõ /start để bắt đầu, Ctrl+D để thoát.\n")
    stdout.flush()
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        outgoing = await app.engine.handle(
            IncomingEvent.from_text(CHANNEL, user, line.rstrip("\n"))
        )
        await app.deliver_notices(outgoing.notices)
        for reply in outgoing.replies:
            stdout.write("\n" + render(reply) + "\n")
        stdout.write("\n> ")
        stdout.flush()
