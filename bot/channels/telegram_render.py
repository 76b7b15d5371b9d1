"""Core replies as Telegram messages: HTML with every text escaped, inline keyboards whose
callback_data is the button's action, texts split under 4,096 UTF-16 units, captions under 1,024."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.channels.split import split_text, utf16_len
from bot.core.replies import Album, Document, Image, Reply, Text, Toast

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
ALBUM_MAX = 10
"""sendMediaGroup takes 2–10 items: a longer album is sent as several, none of a single photo."""


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


@dataclass(frozen=True, slots=True)
class TgAlbum:
    """One sendMediaGroup: 2–10 photos, uploaded as attach:// parts, caption on the first."""

    photos: tuple[TgFile, ...]


TgMessage = TgText | TgFile | TgAlbum


def album_sizes(count: int, most: int = ALBUM_MAX) -> list[int]:
    """How `count` photos are cut into albums of at most `most`, as even as can be, so that no
    album is left with one photo (11 → 6 + 5, not 10 + 1)."""
    if count <= 0:
        return []
    albums = -(-count // most)
    base, extra = divmod(count, albums)
    return [base + 1 if index < extra else base for index in range(albums)]


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
    if isinstance(reply, Album):
        return _album(reply)
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


def _album(album: Album) -> list[TgMessage]:
    """An album as media groups in order; the album's caption on the very first photo (below the
    photos as text when it is longer than a caption may be)."""
    caption = album.caption.strip()
    long_caption = utf16_len(caption) > CAPTION_LIMIT
    photos = []
    for index, image in enumerate(album.images):
        own = image.caption.strip()
        if index == 0 and caption and not long_caption:
            own = "\n".join(part for part in (caption, own) if part)
        if utf16_len(own) > CAPTION_LIMIT:
            own = ""  # an image's own caption this long is not made by the bot; keep the photo
        photos.append(TgFile("photo", image.data or image.url, image.file_name, escape(own)))
    messages: list[TgMessage] = []
    start = 0
    for size in album_sizes(len(photos)):
        group = tuple(photos[start : start + size])
        messages.append(group[0] if size == 1 else TgAlbum(group))
        start += size
    if long_caption:
        messages += [TgText(escape(part)) for part in split_utf16(caption, TEXT_LIMIT)]
    return messages
