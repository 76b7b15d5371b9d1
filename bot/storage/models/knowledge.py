"""Knowledge-base tables: questions the bot could not answer, answer feedback, content versions.

A declined question is logged with personal details (phone numbers, e-mail addresses, ID and
account numbers) masked, and linked to the asker's user row only so that it goes when they erase
their data (and is shown to them by /dulieucuatoi); editors never see who asked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class UnansweredQuestion(Base):
    """A question the bot declined, with the closest topic it found (for editors)."""

    __tablename__ = "knowledge_unanswered"

    id: Mapped[int] = mapped_column(primary_key=True)
    question: Mapped[str] = mapped_column(Text)
    closest_topic: Mapped[str | None] = mapped_column(String(80))
    score: Mapped[float] = mapped_column(Float, default=0.0)
    content_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    asker_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class AnswerFeedback(Base):
    """A 👍 or 👎 given to an answer."""

    __tablename__ = "knowledge_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(80), index=True)
    helpful: Mapped[bool]
    content_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ContentVersion(Base):
    """A validated snapshot of the content files, published by `cdsbot content reload`."""

    __tablename__ = "knowledge_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(32))
    files: Mapped[dict[str, Any]] = mapped_column(JSON)
    topic_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
