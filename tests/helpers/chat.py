"""A conversation helper so that tests read like chat transcripts.

    await chat.converse('''
        > /start
        < Xin chào
        > [Đồng ý]
        < Anh/chị là
    ''')

`> text` is what the person types, `> [label]` presses the button with that label in the bot's
last replies, and each `< text` must appear in the bot's answer to the line before.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.app import BotApp
from bot.core.events import IncomingEvent
from bot.core.replies import Document, Image, Notice, Reply, Text, Toast
from bot.core.text import fold_words


@dataclass
class Turn:
    """The bot's answer to one input."""

    replies: list[Reply]
    notices: list[Notice] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Every text and caption of the turn, joined."""
        parts = []
        for reply in self.replies:
            if isinstance(reply, (Text, Toast)):
                parts.append(reply.text)
            elif isinstance(reply, (Image, Document)):
                parts.append(reply.caption)
        return "\n".join(parts)

    @property
    def shown(self) -> str:
        """What the person sees: texts, captions and button labels."""
        return "\n".join([self.text] + [label for label, _ in self.buttons])

    @property
    def buttons(self) -> list[tuple[str, str]]:
        """(label, action) of every button in the turn, in order."""
        return [
            (b.label, b.action)
            for reply in self.replies
            if isinstance(reply, Text)
            for row in reply.buttons
            for b in row
        ]

    def button(self, label: str) -> str:
        """The action of the button whose label contains `label` (diacritics-insensitive)."""
        wanted = fold_words(label)
        for text, action in self.buttons:
            if wanted in fold_words(text):
                return action
        raise AssertionError(f"no button {label!r} in {[b[0] for b in self.buttons]}")


class Chat:
    """One person talking to the bot on one channel."""

    def __init__(self, bot: BotApp, *, channel: str = "test", user_id: str = "u1") -> None:
        self.bot = bot
        self.channel = channel
        self.user_id = user_id
        self.last: Turn | None = None

    async def say(self, message: str) -> Turn:
        """Type a message (or a /command)."""
        return await self._send(IncomingEvent.from_text(self.channel, self.user_id, message))

    async def act(self, action: str) -> Turn:
        """Send a raw button action (e.g. a stale or forged one)."""
        return await self._send(IncomingEvent.from_action(self.channel, self.user_id, action))

    async def press(self, label: str) -> Turn:
        """Press a button of the last answer by (part of) its label."""
        assert self.last is not None, "nothing to press yet"
        return await self.act(self.last.button(label))

    async def send_event(self, event: IncomingEvent) -> Turn:
        """Send any event as this person."""
        return await self._send(event)

    async def _send(self, event: IncomingEvent) -> Turn:
        outgoing = await self.bot.engine.handle(event)
        self.last = Turn(outgoing.replies, outgoing.notices)
        return self.last

    async def converse(self, script: str) -> Turn:
        """Play a transcript; fail at the first expected text that does not appear."""
        turn: Turn | None = None
        for raw in script.strip().splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith(">"):
                message = line[1:].strip()
                if message.startswith("[") and message.endswith("]"):
                    turn = await self.press(message[1:-1])
                else:
                    turn = await self.say(message)
            elif line.startswith("<"):
                expected = line[1:].strip()
                assert turn is not None, "expected text before any input"
                assert expected in turn.shown, (
                    f"after {self._last_input!r} expected {expected!r} in:\n{turn.shown}"
                )
            else:
                raise ValueError(f"transcript line must start with > or <: {line!r}")
            if line.startswith(">"):
                self._last_input = line
        assert turn is not None
        return turn

    _last_input: str = ""
