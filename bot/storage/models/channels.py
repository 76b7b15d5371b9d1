"""What the platform channels keep: message ids to edit in place, the Zalo OA token chain, the
Zalo OA consultation window per person, and webhook events accepted but not yet processed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class ChannelMessageRef(Base):
    """The platform id of the last message sent in a chat under an edit key (quiz question)."""

    __tablename__ = "channel_message_refs"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    edit_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    message_id: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ZaloOaToken(Base):
    """The current access token and the single-use refresh token of one Official Account app."""

    __tablename__ = "zalo_oa_tokens"

    app_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text, default="")
    access_expires_at: Mapped[datetime | None]
    refresh_token: Mapped[str] = mapped_column(Text)
    seed_hash: Mapped[str] = mapped_column(String(64))  # of the configured refresh token it began
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ZaloOaContact(Base):
    """When a person last wrote to the OA (the consultation window) and whether they follow it."""

    __tablename__ = "zalo_oa_contacts"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    last_interaction_at: Mapped[datetime]
    following: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ChannelInboxEvent(Base):
    """A webhook event acknowledged before processing (Zalo OA), kept until it is processed."""

    __tablename__ = "channel_inbox"
    __table_args__ = (UniqueConstraint("channel", "event_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    event_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    processed_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(200))
