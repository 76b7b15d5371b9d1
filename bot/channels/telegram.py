"""Telegram outbound: `TelegramSender` sends core replies through python-telegram-bot's `Bot`
(HTML parse mode, inline keyboards, split long texts, photos and documents, albums as media
groups of 2–10 photos, quiz messages edited in place) and turns Bot API failures into the core's
delivery errors.

Usable on its own for pushes (`bot.core.notify.ChannelSender`)::

    sender = TelegramSender.from_settings(settings)
    await sender.send("123456789", [Text("Còn 3 ngày …")])

Errors: 429 → `RetryLater(retry_after=parameters.retry_after)`; 403 → `Unreachable("blocked")`;
5xx, time-outs and connection errors → `RetryLater(retry_after=None)`; any other refusal (400 …)
→ `Rejected`. The sender never waits or rate-limits by itself: the caller decides.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Protocol

from telegram import Bot, InputMediaPhoto, Message
from telegram.constants import ParseMode
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.request import HTTPXRequest

from bot.channels.combine import combine_texts
from bot.channels.telegram_render import (
    TEXT_LIMIT,
    TgAlbum,
    TgFile,
    TgMessage,
    TgText,
    render,
    utf16_len,
)
from bot.channels.tls import shared_context
from bot.config import Settings
from bot.core.notify import DeliveryError, Pace, Rejected, RetryLater, Unreachable
from bot.core.replies import Reply

CHANNEL = "telegram"
_STATUS = re.compile(r"\((\d{3})\)\s*$")


class MessageRefs(Protocol):
    """Where the id of the last message sent under an edit key is kept (survives restarts)."""

    async def get_message_ref(self, *, channel: str, chat_id: str, key: str) -> str | None: ...

    async def put_message_ref(
        self, *, channel: str, chat_id: str, key: str, message_id: str
    ) -> None: ...


def delivery_error(error: TelegramError) -> DeliveryError:
    """The core's verdict on a Bot API failure (what the outbox should do next)."""
    if isinstance(error, RetryAfter):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PTB 22 warns about int vs timedelta here
            after = error.retry_after
        seconds = after.total_seconds() if isinstance(after, dt.timedelta) else float(after)
        return RetryLater(str(error), retry_after=seconds)
    if isinstance(error, Forbidden):
        return Unreachable("blocked")
    if isinstance(error, BadRequest):  # a NetworkError subclass in PTB: test it first
        return Rejected(str(error))
    if isinstance(error, TimedOut):
        return RetryLater(str(error))
    if isinstance(error, NetworkError):
        status = _STATUS.search(str(error))
        if status and 400 <= int(status.group(1)) < 500:
            return Rejected(str(error))
        return RetryLater(str(error))
    return Rejected(str(error))


def build_bot(settings: Settings, *, pool_size: int = 64) -> Bot:
    """A PTB `Bot` for the configured token and Bot API base URL (no network until used)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    base = settings.telegram_api_base_url.rstrip("/")
    file_base = base[: -len("/bot")] + "/file/bot" if base.endswith("/bot") else base + "/file"
    shared_tls = {"verify": shared_context()}  # not one certificate load per client
    return Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=base,
        base_file_url=file_base,
        request=HTTPXRequest(
            connection_pool_size=pool_size, pool_timeout=10.0, httpx_kwargs=shared_tls
        ),
        get_updates_request=HTTPXRequest(
            connection_pool_size=2, read_timeout=60.0, httpx_kwargs=shared_tls
        ),
    )


class TelegramSender:
    """Sends core replies to one Telegram chat (private chats: chat id = user id)."""

    def __init__(self, bot: Bot, *, refs: MessageRefs | None = None, empty_text: str = "…") -> None:
        self.bot = bot
        self._refs = refs
        self._empty_text = empty_text

    @classmethod
    def from_settings(
        cls, settings: Settings, *, refs: MessageRefs | None = None
    ) -> TelegramSender:
        """A sender for the configured bot."""
        return cls(build_bot(settings), refs=refs)

    async def close(self) -> None:
        """Release the HTTP connections."""
        await self.bot.shutdown()

    def webhook_answer(self, user_id: str, replies: Sequence[Reply]) -> dict[str, object] | None:
        """The replies as one Bot API call to put in the webhook's answer, when they are one
        plain message whose id nobody needs (no edit key: quiz questions remember the id of the
        message they may replace; files are uploaded); else None and `send` is the way.

        Telegram runs a method given in the answer to a webhook itself; its result is not
        returned. Answering so saves the bot a request of its own per update (about a third of
        its CPU under load, measured in bench/bench_channels.py) and the person a round trip."""
        try:
            chat_id = int(user_id)
        except ValueError:
            return None
        combined = combine_texts(
            replies,
            limit=TEXT_LIMIT,
            size=lambda reply: utf16_len(reply.text),
            edits_in_place=True,
        )
        messages = [m for reply in combined for m in render(reply, empty_text=self._empty_text)]
        if len(messages) != 1 or not isinstance(messages[0], TgText) or messages[0].edit_key:
            return None
        message = messages[0]
        call: dict[str, object] = {
            "method": "sendMessage",
            "chat_id": chat_id,
            "text": message.html,
            "parse_mode": ParseMode.HTML.value,
        }
        if message.keyboard is not None:
            call["reply_markup"] = message.keyboard.to_dict()
        return call

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        pressed_message_id: str | None = None,
        skip: int = 0,
        pace: Pace | None = None,
    ) -> list[int]:
        """Send replies in order (consecutive plain texts as one message), each message inside
        `pace()`; returns the message ids. `pressed_message_id` is the message whose button
        started this turn: a first reply with that message's edit key replaces it."""
        try:
            chat_id = int(user_id)
        except ValueError:
            raise Rejected(f"not a Telegram chat id: {user_id!r}") from None
        combined = combine_texts(
            replies,
            limit=TEXT_LIMIT,
            size=lambda reply: utf16_len(reply.text),
            edits_in_place=True,
        )
        messages: list[TgMessage] = [
            m for reply in combined for m in render(reply, empty_text=self._empty_text)
        ]
        sent: list[int] = []
        for index, message in enumerate(messages[skip:], start=skip):
            try:
                async with pace() if pace is not None else nullcontext():
                    if isinstance(message, TgText):
                        editable = pressed_message_id if index == 0 else None
                        sent.append(await self._send_text(chat_id, message, editable))
                    elif isinstance(message, TgAlbum):
                        sent.extend(m.message_id for m in await self._send_album(chat_id, message))
                    else:
                        sent.append((await self._send_file(chat_id, message)).message_id)
            except TelegramError as error:
                raise delivery_error(error).after(index) from error
        return sent

    async def _send_text(self, chat_id: int, message: TgText, editable: str | None) -> int:
        key = message.edit_key
        if key and editable and self._refs is not None:
            ref = await self._refs.get_message_ref(channel=CHANNEL, chat_id=str(chat_id), key=key)
            if ref == editable:
                try:
                    await self.bot.edit_message_text(
                        message.html,
                        chat_id=chat_id,
                        message_id=int(ref),
                        parse_mode=ParseMode.HTML,
                        reply_markup=message.keyboard,
                    )
                    return int(ref)
                except BadRequest as error:
                    if "not modified" in str(error).lower():
                        return int(ref)
                    # too old or deleted: fall through and send it anew
        result = await self.bot.send_message(
            chat_id, message.html, parse_mode=ParseMode.HTML, reply_markup=message.keyboard
        )
        if key and self._refs is not None:
            await self._refs.put_message_ref(
                channel=CHANNEL, chat_id=str(chat_id), key=key, message_id=str(result.message_id)
            )
        return result.message_id

    async def _send_album(self, chat_id: int, album: TgAlbum) -> tuple[Message, ...]:
        """One sendMediaGroup (PTB uploads the bytes as multipart parts named by attach://)."""
        media = [
            InputMediaPhoto(
                photo.content,
                caption=photo.caption_html or None,
                parse_mode=ParseMode.HTML,
                filename=photo.file_name,
            )
            for photo in album.photos
        ]
        return await self.bot.send_media_group(chat_id, media)

    async def _send_file(self, chat_id: int, message: TgFile) -> Message:
        send = self.bot.send_photo if message.kind == "photo" else self.bot.send_document
        # bytes are uploaded under the file name; a str is a URL the Bot API fetches itself
        return await send(
            chat_id,
            message.content,
            caption=message.caption_html or None,
            parse_mode=ParseMode.HTML,
            filename=message.file_name,
        )
