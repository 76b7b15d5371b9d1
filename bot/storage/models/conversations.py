"""Conversation state (where each person is in a flow) and processed-update bookkeeping."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class Conversation(Base):
    """The state of one person's conversation on one channel, kept across restarts."""

    __tablename__ = "conversations"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    step: Mapped[str | None] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    menu: Mapped[list[Any]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=0)
    # Indexed: the retention job deletes conversations idle for longer than its setting.
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)


class ProcessedEvent(Base):
    """An update handled (claimed and committed with its turn), so that a platform's redelivery
    is processed once: the redelivery gets the turn's replies again (`replies`, see
    `bot.core.reply_codec`) instead of running the handler a second time."""

    __tablename__ = "processed_events"

    channel: Mapped[str] = mapped_column(String(32), primary_key=True)
    event_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[str | None] = mapped_column(String(128))  # the sender (erasure finds it)
    replies: Mapped[list[Any] | None] = mapped_column(JSON)  # None: not kept (old or erased)
