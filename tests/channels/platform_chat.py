"""Transcripts played through a real platform channel: the person's input goes to the fake platform,
which delivers it to our webhook; what the bot sent comes back from the fake's records.

Same format as tests/helpers/chat.py: `> text`, `> [label]` (press a button — on Zalo Bot, type
the number the label has in the last numbered list), `< text` expected in the answer."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from typing import Any

from bot.core.text import fold_words
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_oa_api import FakeZaloOa


class PlatformChat(ABC):
    """Base: transcript playing on top of `say` and `press`."""

    @abstractmethod
    async def say(self, text: str) -> str:
        """Type a message; returns what the bot showed."""

    @abstractmethod
    async def press(self, label: str) -> str:
        """Choose the option labelled `label`; returns what the bot showed."""

    @abstractmethod
    async def press_nth(self, number: int) -> str:
        """Choose the `number`-th option (from 1) of the newest choices."""

    async def converse(self, script: str) -> str:
        """Play a transcript; fail at the first expected text that does not appear."""
        shown = ""
        last_input = ""
        for raw in script.strip().splitlines():
            line = raw.strip()
            if not line:
                continue
            if line.startswith(">"):
                message = line[1:].strip()
                last_input = message
                if message.startswith("[") and message.endswith("]"):
                    shown = await self.press(message[1:-1])
                else:
                    shown = await self.say(message)
            elif line.startswith("<"):
                expected = line[1:].strip()
                assert expected in shown, f"after {last_input!r} expected {expected!r} in:\n{shown}"
            else:
                raise ValueError(f"transcript line must start with > or <: {line!r}")
        return shown


class TelegramChat(PlatformChat):
    """One private chat on the fake Telegram, delivered through the webhook."""

    def __init__(
        self, fake: FakeTelegram, chat_id: int, deliver: Callable[[dict[str, Any]], Awaitable[int]]
    ) -> None:
        self.fake = fake
        self.chat_id = chat_id
        self._deliver = deliver
        self.updates: list[dict[str, Any]] = []

    async def _run(self, update: dict[str, Any]) -> str:
        self.updates.append(update)
        before = len(self.fake.messages)
        status = await self._deliver(update)
        assert status == 200, f"webhook answered {status}"
        new = [m for m in self.fake.messages[before:] if m["chat_id"] == self.chat_id]
        lines = []
        for message in new:
            lines.append(message.get("text") or message.get("caption") or "")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                lines.extend(button["text"] for button in row)
        return "\n".join(lines)

    async def say(self, text: str) -> str:
        """Type a message."""
        return await self._run(self.fake.user_says(self.chat_id, text))

    async def press(self, label: str) -> str:
        """Press the newest button whose label contains `label` (accents optional)."""
        wanted = fold_words(label)
        for message in reversed(self.fake.chat_messages(self.chat_id)):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if wanted in fold_words(button["text"]):
                        return await self._run(
                            self.fake.user_presses(
                                self.chat_id, message["message_id"], button["callback_data"]
                            )
                        )
        raise AssertionError(f"no button {label!r} in chat {self.chat_id}")

    async def press_nth(self, number: int) -> str:
        """Press the `number`-th button of the newest message that has buttons."""
        for message in reversed(self.fake.chat_messages(self.chat_id)):
            rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = [button for row in rows for button in row]
            if buttons:
                return await self._run(
                    self.fake.user_presses(
                        self.chat_id, message["message_id"], buttons[number - 1]["callback_data"]
                    )
                )
        raise AssertionError(f"no buttons in chat {self.chat_id}")


NUMBERED = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


class NumberedChat(PlatformChat):
    """A chat without buttons (Zalo Bot): pressing a label means typing its number."""

    def __init__(self, send: Callable[[str], Awaitable[list[str]]]) -> None:
        self._send = send
        self.last: list[str] = []

    async def say(self, text: str) -> str:
        """Type a message; returns the texts the bot sent back."""
        self.last = await self._send(text)
        return "\n".join(self.last)

    async def press(self, label: str) -> str:
        """Type the number that `label` has in the newest numbered list."""
        wanted = fold_words(label)
        for text in reversed(self.last):
            choices = NUMBERED.findall(text)
            for number, shown in choices:
                if wanted in fold_words(shown):
                    return await self.say(number)
        raise AssertionError(f"no numbered choice {label!r} in:\n" + "\n".join(self.last))

    async def press_nth(self, number: int) -> str:
        """Type the number."""
        return await self.say(str(number))


class OaChat(PlatformChat):
    """One follower of the fake Zalo OA: buttons are quick replies (or numbered text)."""

    def __init__(self, fake: FakeZaloOa, user_id: str) -> None:
        self.fake = fake
        self.user_id = user_id
        self.deliver: Callable[[dict[str, Any]], Awaitable[int]] | None = None
        self.last_messages: list[dict[str, Any]] = []

    async def _run(self, event: dict[str, Any]) -> str:
        assert self.deliver is not None
        before = len(self.fake.messages)
        status = await self.deliver(event)
        assert status == 200, f"webhook answered {status}"
        self.last_messages = [
            m["message"]
            for m in self.fake.messages[before:]
            if m["recipient"]["user_id"] == self.user_id
        ]
        lines = []
        for message in self.last_messages:
            lines.append(message.get("text", ""))
            lines.extend(b["title"] for b in _buttons(message))
        return "\n".join(lines)

    async def say(self, text: str) -> str:
        """Type a message."""
        return await self._run(self.fake.user_says(self.user_id, text))

    async def press(self, label: str) -> str:
        """Tap the quick reply whose title contains `label`, or type its number."""
        wanted = fold_words(label)
        for message in reversed(self.last_messages):
            for button in _buttons(message):
                if wanted in fold_words(button["title"]):
                    return await self._run(self.fake.user_clicks(self.user_id, button["payload"]))
            for number, shown in NUMBERED.findall(message.get("text", "")):
                if wanted in fold_words(shown):
                    return await self.say(number)
        raise AssertionError(f"no choice {label!r} in {self.last_messages}")

    async def press_nth(self, number: int) -> str:
        """Tap the `number`-th quick reply of the newest message that has some, else type it."""
        for message in reversed(self.last_messages):
            buttons = _buttons(message)
            if buttons:
                payload = buttons[number - 1]["payload"]
                return await self._run(self.fake.user_clicks(self.user_id, payload))
        return await self.say(str(number))


def _buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    payload = (message.get("attachment") or {}).get("payload") or {}
    return list(payload.get("buttons") or [])
