"""People as the bot knows them: one row per channel account, their roles and web sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint, case
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow

DATA_ONLY_CHANNELS = ("demo",)
"""Channels whose accounts exist only as data (the demo staff behind the demo leaderboard):
nobody can write as them and nothing can be pushed to them, so audiences leave them out."""


class User(Base):
    """A channel account. Personal fields are empty until consent, and emptied on deletion."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(32))
    external_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str | None] = mapped_column(String(16))  # "citizen" | "staff" once registered
    consent_at: Mapped[datetime | None]
    consent_version: Mapped[str | None] = mapped_column(String(32))
    full_name: Mapped[str | None] = mapped_column(String(200))
    position: Mapped[str | None] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    registered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Delivery bookkeeping: set when a platform says the person cannot be reached any more.
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    # Staff verification: a staff member counts for their unit only while `verified_unit_id`
    # equals `unit_id` (moving to another unit needs a new confirmation). `verified_via` says how
    # (roster, manager, admin, demo); `rejected_unit_id` is a unit whose manager said no.
    verified_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )
    verified_at: Mapped[datetime | None]
    verified_via: Mapped[str | None] = mapped_column(String(16))
    rejected_unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("units.id", ondelete="SET NULL")
    )


class RoleGrant(Base):
    """An elevated role: admin, council (emulation council) or manager of a unit."""

    __tablename__ = "role_grants"
    __table_args__ = (UniqueConstraint("user_id", "role", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSessionQuota(Base):
    """How many web-chat sessions one client network opened in one window (rate limit). The
    client is a truncated SHA-256 of its network, and rows go once their window has passed."""

    __tablename__ = "web_session_quota"

    client_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    opened: Mapped[int] = mapped_column(default=0)


class WebSession(Base):
    """A web-chat session. Only the SHA-256 of the bearer token is stored."""

    __tablename__ = "web_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    external_id: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)


CONFIRMED_UNIT = case((User.verified_unit_id == User.unit_id, User.unit_id))
"""The unit a person is confirmed for as staff (their unit when its confirmation is for it),
else NULL. Queries test `CONFIRMED_UNIT.is_not(None)` rather than `verified_unit_id = unit_id`:
PostgreSQL has no statistics for an equality between two columns and guessed 0.5 % of the rows
(250 of 50,000 staff), which chose nested loops over every confirmed person; for this expression
it keeps statistics (`users_confirmed_unit`, migration 0014_perf_indexes), so it knows how many
there are. The statistics object's expression must stay the same as this one."""
