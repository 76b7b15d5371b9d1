"""Deadlines, their reminder times, acknowledgements, tip subscriptions and the delivery outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class Deadline(Base):
    """Something units must do by a due time, and who is reminded of it."""

    __tablename__ = "deadlines"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime] = mapped_column(index=True)
    # {"kind": "all_staff" | "managers" | "units" | "below_target" | "subscribers" | "everyone",
    #  "unit_ids": [...], "subunits": bool, "target_id": int | None}
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    offsets: Mapped[list[str]] = mapped_column(JSON, default=list)
    urgent: Mapped[bool] = mapped_column(default=False)
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class DeadlineReminder(Base):
    """One moment at which a deadline's audience (or, when overdue, its managers) is reminded.
    The sweep turns due rows into outbox rows and marks them done in the same transaction."""

    __tablename__ = "deadline_reminders"
    __table_args__ = (
        UniqueConstraint("deadline_id", "label", "fire_at"),
        Index("ix_deadline_reminders_state_fire_at", "state", "fire_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    deadline_id: Mapped[int] = mapped_column(ForeignKey("deadlines.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(32))  # "7d", "3d", "1d", "morning", "overdue"
    fire_at: Mapped[datetime]
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending|done|superseded
    done_at: Mapped[datetime | None]


class DeadlineAck(Base):
    """A person pressed "Đã nhận" on a deadline's reminder."""

    __tablename__ = "deadline_acks"

    deadline_id: Mapped[int] = mapped_column(
        ForeignKey("deadlines.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    acked_at: Mapped[datetime] = mapped_column(default=utcnow)


class TipSubscription(Base):
    """A person receives one "Mẹo số mỗi ngày" at a local hour; `next_at` is the next send time."""

    __tablename__ = "tip_subscriptions"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hour: Mapped[int] = mapped_column(default=8)
    next_at: Mapped[datetime] = mapped_column(index=True)
    sent: Mapped[int] = mapped_column(default=0)  # tips queued so far: the next one is tips[sent]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class JobRun(Base):
    """A periodic job done for a period (e.g. the progress nudges of ISO week 2026-W23)."""

    __tablename__ = "job_runs"

    job: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(default=utcnow)


class Broadcast(Base):
    """A message an administrator sent to an audience from the command line."""

    __tablename__ = "broadcasts"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    urgent: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OutboxMessage(Base):
    """A push to one person, written in the same transaction as the decision to send it.

    (purpose, recipient_id, occurrence) is unique, so deciding twice never sends twice. Senders
    claim rows (status "sending", a lease in `claimed_until`); a crashed sender's lease expires
    and another sender retries the row.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("purpose", "recipient_id", "occurrence"),
        Index("ix_outbox_status_available_at", "status", "available_at"),
        # Delivery reports of a deadline (who was reminded, reached, per round): an index-only
        # scan on PostgreSQL instead of visiting every row of a province-wide deadline.
        Index(
            "ix_outbox_deadline_report",
            "deadline_id",
            "purpose",
            "recipient_id",
            postgresql_include=["status", "occurrence", "reason"],
        ),
        Index("ix_outbox_broadcast_id", "broadcast_id"),
        Index("ix_outbox_channel_chat_id", "channel", "chat_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[str] = mapped_column(String(32))  # deadline|overdue|tip|nudge|broadcast|notice
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    occurrence: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(128))
    payload: Mapped[list[Any]] = mapped_column(JSON)
    urgent: Mapped[bool] = mapped_column(default=False)
    deadline_id: Mapped[int | None] = mapped_column(ForeignKey("deadlines.id", ondelete="SET NULL"))
    broadcast_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcasts.id", ondelete="SET NULL")
    )
    # pending → sending → sent | undeliverable | rejected | failed
    status: Mapped[str] = mapped_column(String(16), default="pending")
    available_at: Mapped[datetime]
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(default=0)
    # Platform messages of this push already delivered (a long text is several): a retry after a
    # rate limit or an outage resumes after them instead of sending them again.
    parts_sent: Mapped[int] = mapped_column(default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class SendPace(Base):
    """When the next message may go out on a platform, shared by every process (PostgreSQL).

    One row per channel (its overall pace) and one per chat that was sent to recently (its
    per-chat pace); `key` is a 63-bit hash of the channel and chat, so the table holds no chat
    id. Rows are reserved by `bot/storage/repositories/pace.py` and old ones deleted by the
    hourly housekeeping. SQLite deployments are one process and pace in memory instead."""

    __tablename__ = "send_pace"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    next_at: Mapped[datetime]


class SendToken(Base):
    """A channel's overall limit as tokens (PostgreSQL): as many as it may send in one second,
    each held by one message from its slot until one second after the platform answered it, so
    that no one-second window at the platform holds more, whatever the network's delays.

    `key` is the channel's `send_pace` key, `n` the token's number; `free_at` is when it may be
    taken again (while its message is in flight: a bound after which a dead process's token
    comes back). Taken and released by `bot/storage/repositories/pace.py`."""

    __tablename__ = "send_token"

    key: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    free_at: Mapped[datetime]
