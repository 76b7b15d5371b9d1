"""What the core answers with. Channels render these in their own idiom."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Button:
    """A choice. `action` is a short ASCII id (≤ 64 bytes, Telegram's callback_data limit)."""

    label: str
    action: str

    def __post_init__(self) -> None:
        if len(self.action.encode("utf-8")) > 64:
            raise ValueError(f"action too long for callback_data: {self.action!r}")


@dataclass(frozen=True, slots=True)
class Reply:
    """Base of every reply."""


@dataclass(frozen=True, slots=True)
class Text(Reply):
    """Plain text (never markup): channels escape it as they need."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    edit_key: str = ""  # replies with the same key may replace each other in place (quiz)


@dataclass(frozen=True, slots=True)
class Toast(Reply):
    """A short note on a button press that changes nothing on screen (a double tap, a button of a
    question already gone): Telegram shows it as the button's pop-up (answerCallbackQuery, at
    most 200 characters); other channels as one short line. Never re-posts anything."""

    text: str


@dataclass(frozen=True, slots=True)
class Image(Reply):
    """A picture: either bytes made by the bot (charts) or a URL."""

    caption: str = ""
    data: bytes = b""
    url: str = ""
    file_name: str = "image.png"


@dataclass(frozen=True, slots=True)
class Album(Reply):
    """Pictures that belong together (the pages of one ranking), shown as one group where the
    platform can: an album on Telegram (several of at most 10), one gallery on the web page, the
    pictures one after another, in order, where there is no album (Zalo). `caption` speaks for
    the whole group and goes with the first picture; each image's own caption stays with it."""

    images: tuple[Image, ...]
    caption: str = ""


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
"""An Excel workbook's type (exports); here rather than next to the exports so that naming it
does not import openpyxl, which a process needs only when it makes a workbook."""


@dataclass(frozen=True, slots=True)
class Document(Reply):
    """A file to download: bytes made by the bot (exports), or `url` — a link, or the handle
    the person's own channel gave the file (a Telegram file_id), sent back on that channel."""

    file_name: str
    data: bytes = b""
    caption: str = ""
    mime_type: str = "application/octet-stream"
    url: str = ""


@dataclass(frozen=True, slots=True)
class Notice:
    """A message for someone other than the sender (e.g. a nominator told of a decision)."""

    channel: str
    user_id: str
    replies: tuple[Reply, ...]


def text(message: str, *rows: list[Button] | tuple[Button, ...], edit_key: str = "") -> Text:
    """Build a text reply with optional rows of buttons."""
    return Text(message, tuple(tuple(row) for row in rows if row), edit_key=edit_key)


def buttons_in_rows(items: list[Button], per_row: int = 1) -> list[list[Button]]:
    """Lay buttons out in rows of `per_row`."""
    return [items[i : i + per_row] for i in range(0, len(items), per_row)]


@dataclass(slots=True)
class Outgoing:
    """Everything one event produced: replies to the sender (for the channel to send) and
    notices to others (already queued with the turn; listed for callers that show them)."""

    replies: list[Reply] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    replayed: bool = False  # the replies kept from an earlier delivery of the same update
    failure: str = ""  # "error" (a handler failed) or "busy" (a lost race): the turn rolled back
