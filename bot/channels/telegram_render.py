"""Core replies as Telegram messages: HTML with every text escaped, inline keyboards whose
callback_data is the button's action, texts split under 4,096 UTF-16 units, captions under 1,024."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.split import split_text, utf16_len
from bot.core.replies import Document, Image, Reply, Text, Toast

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024


@dataclass(frozen=True, slots=True)
class TgText:
    """One sendMessage: HTML text, optional keyboard, and the core's edit key."""

    html: str
    keyboard: InlineKeyboardMarkup | None = None
    edit_key: str = ""


@dataclass(frozen=True, slots=True)
class TgFile:
    """One sendPhoto or sendDocument: bytes or a URL, with an HTML caption."""

    kind: str  # "photo" | "document"
    content: bytes | str
    file_name: str
    caption_html: str = ""


TgMessage = TgText | TgFile


def split_utf16(message: str, limit: int) -> list[str]:
    """Split so that each part fits `limit` UTF-16 units, as Telegram counts after parsing the
    HTML (each part is escaped whole and gets no tags, so the parsed text is the part itself)."""
    return split_text(message, limit, measure=utf16_len)


def escape(text: str) -> str:
    """User-supplied or catalog text made safe for parse_mode=HTML."""
    return html.escape(text, quote=False)


def keyboard(reply: Text) -> InlineKeyboardMarkup | None:
    """The reply's buttons as an inline keyboard (callback_data = the action)."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.label, callback_data=b.action) for b in row]
            for row in reply.buttons
        ]
    )


def render(reply: Reply, *, empty_text: str = "…") -> list[TgMessage]:
    """A core reply as the Telegram messages that show it; the keyboard goes on the last part."""
    if isinstance(reply, Text):
        markup = keyboard(reply)
        body = reply.text.strip() or (empty_text if markup else "")
        if not body:
            return []
        parts = split_utf16(body, TEXT_LIMIT)
        return [
            TgText(
                escape(part),
                markup if index == len(parts) - 1 else None,
                reply.edit_key if len(parts) == 1 else "",
            )
            for index, part in enumerate(parts)
        ]
    if isinstance(reply, Toast):  # shown as a pop-up when a button was pressed; else one line
        return [TgText(escape(reply.text))]
    if isinstance(reply, Image):
        content: bytes | str = reply.data or reply.url
        return _file("photo", content, reply.file_name, reply.caption)
    if isinstance(reply, Document):
        return _file("document", reply.data or reply.url, reply.file_name, reply.caption)
    raise TypeError(f"cannot render {type(reply).__name__} for Telegram")


def _file(kind: str, content: bytes | str, file_name: str, caption: str) -> list[TgMessage]:
    caption = caption.strip()
    if utf16_len(caption) <= CAPTION_LIMIT:
        return [TgFile(kind, content, file_name, escape(caption))]
    # A long caption goes below the file as ordinary text messages.
    rest = [TgText(escape(part)) for part in split_utf16(caption, TEXT_LIMIT)]
    return [TgFile(kind, content, file_name), *rest]
