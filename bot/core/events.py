"""The neutral shape of everything a person sends to the bot, whatever the channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class EventKind(StrEnum):
    """What kind of input an event carries."""

    TEXT = "text"
    COMMAND = "command"
    ACTION = "action"
    ATTACHMENT = "attachment"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file or photo a person sent; `ref` is the channel's handle to fetch it later."""

    kind: str  # "photo" | "document"
    ref: str
    file_name: str | None = None
    mime_type: str | None = None
    size: int | None = None


@dataclass(frozen=True, slots=True)
class IncomingEvent:
    """One input from one person. Channel adapters build these; ids are always strings."""

    channel: str
    user_id: str
    chat_id: str
    kind: EventKind
    text: str = ""
    command: str = ""
    args: str = ""
    action: str = ""
    attachment: Attachment | None = None
    message_id: str = ""
    dedup_key: str = ""  # set by channels that may deliver the same update twice
    display_name: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_text(cls, channel: str, user_id: str, text: str, **extra: Any) -> IncomingEvent:
        """Build a text event, or a command event when the text starts with '/'."""
        chat_id = str(extra.pop("chat_id", user_id))
        stripped = text.strip()
        if stripped.startswith("/") and len(stripped) > 1:
            head, _, rest = stripped[1:].partition(" ")
            name = head.split("@", 1)[0].lower()
            if name and name.replace("_", "").isalnum() and name.isascii():
                return cls(
                    channel,
                    str(user_id),
                    chat_id,
                    EventKind.COMMAND,
                    text=text,
                    command=name,
                    args=rest.strip(),
                    **extra,
                )
        return cls(channel, str(user_id), chat_id, EventKind.TEXT, text=text, **extra)

    @classmethod
    def from_action(cls, channel: str, user_id: str, action: str, **extra: Any) -> IncomingEvent:
        """Build a button-press event."""
        chat_id = str(extra.pop("chat_id", user_id))
        return cls(channel, str(user_id), chat_id, EventKind.ACTION, action=action, **extra)
