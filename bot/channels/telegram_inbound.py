"""Telegram updates as core events. Every update type gets a verdict — an event for the engine, a
short fixed reply, or nothing — and none raises, so Telegram never retries an update forever."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Message, Update
from telegram.constants import ChatType

from bot.core.events import Attachment, EventKind, IncomingEvent

CHANNEL = "telegram"


@dataclass(frozen=True, slots=True)
class Inbound:
    """What to do with one update."""

    chat_id: int | None = None
    event: IncomingEvent | None = None
    notice_key: str = ""  # a catalog key to answer with, without the engine
    callback_query_id: str = ""  # answer it so the button stops spinning
    pressed_message_id: str = ""


def to_inbound(update: Update) -> Inbound:
    """The verdict on an update: event, short reply or nothing."""
    dedup = f"tg:{update.update_id}"
    query = update.callback_query
    if query is not None:
        message = query.message
        chat = message.chat if message is not None else None
        if (
            chat is None
            or chat.type != ChatType.PRIVATE
            or not isinstance(query.data, str)
            or not query.data
        ):
            return Inbound(callback_query_id=query.id)
        event = IncomingEvent.from_action(
            CHANNEL,
            str(query.from_user.id),
            query.data,
            chat_id=str(chat.id),
            message_id=str(message.message_id),
            dedup_key=dedup,
            display_name=query.from_user.full_name,
        )
        return Inbound(
            chat.id, event, callback_query_id=query.id, pressed_message_id=str(message.message_id)
        )
    if update.edited_message is not None:
        edited = update.edited_message
        private = edited.chat.type == ChatType.PRIVATE
        return Inbound(edited.chat.id, notice_key="channels.edited" if private else "")
    message = update.message
    if message is None or message.from_user is None:
        return Inbound()  # channel posts, member changes, polls, …: nothing to answer
    if message.chat.type != ChatType.PRIVATE:
        addressed = (message.text or "").startswith("/")
        return Inbound(message.chat.id, notice_key="channels.group_only" if addressed else "")
    return _private_message(message, dedup)


def _private_message(message: Message, dedup: str) -> Inbound:
    user = message.from_user
    assert user is not None
    common = {
        "chat_id": str(message.chat.id),
        "message_id": str(message.message_id),
        "dedup_key": dedup,
        "display_name": user.full_name,
    }
    if isinstance(message.text, str):
        return Inbound(
            message.chat.id, IncomingEvent.from_text(CHANNEL, str(user.id), message.text, **common)
        )
    attachment = _attachment(message)
    if attachment is None:
        return Inbound(message.chat.id, notice_key="channels.unsupported")
    return Inbound(
        message.chat.id,
        IncomingEvent(
            CHANNEL,
            str(user.id),
            str(message.chat.id),
            EventKind.ATTACHMENT,
            text=message.caption if isinstance(message.caption, str) else "",
            attachment=attachment,
            message_id=str(message.message_id),
            dedup_key=dedup,
            display_name=user.full_name,
        ),
    )


def _attachment(message: Message) -> Attachment | None:
    if message.photo:
        largest = max(message.photo, key=lambda size: size.width * size.height)
        return Attachment("photo", largest.file_id, mime_type="image/jpeg", size=largest.file_size)
    if message.document is not None:
        document = message.document
        return Attachment(
            "document",
            document.file_id,
            file_name=document.file_name,
            mime_type=document.mime_type,
            size=document.file_size,
        )
    return None
