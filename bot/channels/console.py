"""The terminal chat (`cdsbot chat`): the same engine, buttons shown as numbered choices."""

from __future__ import annotations

import asyncio
import getpass
import sys
from typing import TextIO

from bot.app import BotApp
from bot.channels.render import numbered
from bot.core.events import IncomingEvent
from bot.core.replies import Album, Document, Image, Reply, Text, Toast
from bot.messages import Catalog

CHANNEL = "console"


def render(reply: Reply, t: Catalog) -> str:
    """A reply as terminal text."""
    if isinstance(reply, Text):
        return numbered(reply, t("common.numbered_hint"))
    if isinstance(reply, Toast):
        return reply.text
    if isinstance(reply, Image):
        return t("console.image", caption=reply.caption).strip()
    if isinstance(reply, Album):
        return t("console.album", count=len(reply.images), caption=reply.caption).strip()
    if isinstance(reply, Document):
        return t("console.file", name=reply.file_name, caption=reply.caption).strip()
    return str(reply)


async def run_console(
    app: BotApp,
    *,
    user_id: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Read lines, print replies, until the end of input."""
    user = user_id or getpass.getuser()
    await app.warm_up()  # the first question is then as quick as the others
    stdout.write(app.catalog("console.welcome") + "\n")
    stdout.flush()
    while True:
        line = await asyncio.to_thread(stdin.readline)
        if not line:
            break
        outgoing = await app.engine.handle(
            IncomingEvent.from_text(CHANNEL, user, line.rstrip("\n"))
        )
        for reply in outgoing.replies:
            stdout.write("\n" + render(reply, app.catalog) + "\n")
        stdout.write("\n> ")
        stdout.flush()
