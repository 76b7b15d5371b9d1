"""Nominations for commendation: rounds, drafts, nominations, supporters, evidence and history."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class NominationRound(Base):
    """A period in which nominations are accepted, for some of the three categories."""

    __tablename__ = "nomination_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    categories: Mapped[list[str]] = mapped_column(JSON)
    opens_on: Mapped[date]  # first day, local time
    closes_on: Mapped[date]  # last day (inclusive), local time
    closed_at: Mapped[datetime | None]  # set when an administrator closes the round early
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NominationDraft(Base):
    """The form a person is filling in, kept so that it survives restarts."""

    __tablename__ = "nomination_drafts"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NominationCounter(Base):
    """The last reference number handed out in a year (DC-2026-0042)."""

    __tablename__ = "nomination_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Nomination(Base):
    """One nominee in one round. Text is stored exactly as typed; `name_key` is for matching."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("round_id", "unit_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("nomination_rounds.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    nominee_name: Mapped[str] = mapped_column(Text)
    name_key: Mapped[str] = mapped_column(String(400))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    position: Mapped[str | None] = mapped_column(Text)
    achievements: Mapped[str] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    nominator_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    nominator_contact: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class NominationSupport(Base):
    """A later nomination of the same nominee: its author becomes a supporter with a reason."""

    __tablename__ = "nomination_supports"
    __table_args__ = (UniqueConstraint("nomination_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    contact: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    kind: Mapped[str] = mapped_column(String(16))
    nominee_name: Mapped[str] = mapped_column(Text)
    position: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    evidence_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NominationAttachment(Base):
    """A photo or document sent as evidence; `ref` is the channel's handle to fetch it."""

    __tablename__ = "nomination_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("nominations.id", ondelete="CASCADE"), index=True
    )
    support_id: Mapped[int | None] = mapped_column(
        ForeignKey("nomination_supports.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(String(255))
    mime_type: Mapped[str | None] = mapped_column(String(128))
    size: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NominationHistory(Base):
    """Everything that happened to a nomination: who, when, what and why."""

    __tablename__ = "nomination_history"
    __table_args__ = (Index("ix_nomination_history_nomination_at", "nomination_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nomination_id: Mapped[int] = mapped_column(ForeignKey("nominations.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)
