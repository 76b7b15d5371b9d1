"""Core replies for Zalo, where (most) messages cannot carry buttons: the buttons of the reply that
the engine will read a typed number against become a numbered list ("Anh/chị trả lời 1, 2 hoặc
3"); buttons of earlier replies become a plain list. Texts are split to the platform's limit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.channels.render import distinct_list_marks, numbered, typed_as_labelled
from bot.channels.split import split_text
from bot.core.choices import menu_index
from bot.core.replies import Album, Document, Image, Reply, Text, Toast
from bot.messages import Catalog

MAX_LISTED_NUMBERS = 5


@dataclass(frozen=True, slots=True)
class ZaloText:
    """A text message."""

    text: str


@dataclass(frozen=True, slots=True)
class ZaloImage:
    """A picture: bytes made by the bot or a URL."""

    data: bytes
    url: str
    file_name: str
    caption: str


@dataclass(frozen=True, slots=True)
class ZaloFile:
    """A file to download."""

    data: bytes
    file_name: str
    mime_type: str
    caption: str
    url: str = ""  # a link to the file instead of bytes


ZaloPiece = ZaloText | ZaloImage | ZaloFile


def choice_hint(count: int, t: Catalog) -> str:
    """ "Anh/chị trả lời 1, 2 hoặc 3 (hoặc gõ tên mục)." for `count` numbered choices."""
    if count == 1:
        return t("channels.choose_one")
    if count > MAX_LISTED_NUMBERS:
        return t("channels.choose_range", count=count)
    numbers = ", ".join(str(n) for n in range(1, count))
    return t("channels.choose_numbered", choices=f"{numbers} {t('channels.or')} {count}")


def text_with_choices(reply: Text, *, numbered_list: bool, t: Catalog) -> str:
    """A text reply with its buttons written out (numbered, or as a plain list)."""
    if not reply.buttons:
        return reply.text
    if typed_as_labelled([button.label for row in reply.buttons for button in row]):
        return reply.text
    if numbered_list:
        count = sum(len(row) for row in reply.buttons)
        return numbered(reply, choice_hint(count, t))
    labels = [f"• {button.label}" for row in reply.buttons for button in row]
    return "\n".join([reply.text, "", *labels])


def _link(url: str) -> str:
    """A web address Zalo can fetch; another platform's file handle (a Telegram file_id) is
    dropped, and the file is then said to be unavailable here."""
    return url if url.startswith(("https://", "http://")) else ""


def render_numbered(replies: Sequence[Reply], t: Catalog, *, limit: int) -> list[ZaloPiece]:
    """Every reply as Zalo pieces with buttons written out as text; texts split to `limit`."""
    menu = menu_index(replies)
    pieces: list[ZaloPiece] = []
    for index, reply in enumerate(replies):
        if isinstance(reply, Text):
            body = text_with_choices(reply, numbered_list=index == menu, t=t).strip()
            if menu >= 0 and index != menu:  # digits belong to the choices alone
                body = distinct_list_marks(body)
            pieces.extend(ZaloText(part) for part in split_text(body, limit) if body)
        elif isinstance(reply, Toast):
            pieces.append(ZaloText(reply.text))
        elif isinstance(reply, Image):
            pieces.append(ZaloImage(reply.data, _link(reply.url), reply.file_name, reply.caption))
        elif isinstance(reply, Album):  # no albums on Zalo: the pictures in order, paced
            for number, image in enumerate(reply.images):
                caption = image.caption.strip()
                if number == 0:
                    caption = "\n".join(part for part in (reply.caption.strip(), caption) if part)
                pieces.append(ZaloImage(image.data, _link(image.url), image.file_name, caption))
        elif isinstance(reply, Document):
            pieces.append(
                ZaloFile(
                    reply.data, reply.file_name, reply.mime_type, reply.caption, _link(reply.url)
                )
            )
        else:
            raise TypeError(f"cannot render {type(reply).__name__} for Zalo")
    return pieces
