"""Quiz attempts and answers, unit targets, and the optional staff roster."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.storage.models.base import Base, utcnow


class QuizAttempt(Base):
    """One run through a question set. The drawn questions, their option order and the send time
    of the current question are stored, so an attempt survives restarts and the time limit is
    enforced on the server. `user_id` is emptied when the person erases their data."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        # One open attempt per person, even when a double tap reaches two workers at once.
        Index(
            "uq_quiz_attempts_active_user",
            "user_id",
            unique=True,
            postgresql_where=text("status = 'active'"),
            sqlite_where=text("status = 'active'"),
        ),
        Index("ix_quiz_attempts_user_set", "user_id", "set_slug"),
        # Leaderboards scan counted results of a set within a period: an index-only scan on PG.
        Index(
            "ix_quiz_attempts_results",
            "set_slug",
            "finished_at",
            postgresql_include=["user_id", "score", "passed", "practice"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_slug: Mapped[str] = mapped_column(String(64))
    practice: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="active")
    question_ids: Mapped[list[Any]] = mapped_column(JSON)
    option_orders: Mapped[list[Any]] = mapped_column(JSON)
    current_index: Mapped[int] = mapped_column(default=0)
    question_sent_at: Mapped[datetime | None]
    time_limit_s: Mapped[int] = mapped_column(default=60)
    pass_ratio: Mapped[float] = mapped_column(default=0.8)
    correct_count: Mapped[int] = mapped_column(default=0)
    score: Mapped[float | None]
    passed: Mapped[bool] = mapped_column(default=False)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class QuizAnswer(Base):
    """The answer to one question of an attempt. The primary key makes a double tap count once."""

    __tablename__ = "quiz_answers"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE"), primary_key=True
    )
    question_index: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64))
    chosen: Mapped[int | None]  # index in the bank's option list; None when timed out
    correct: Mapped[bool] = mapped_column(default=False)
    timed_out: Mapped[bool] = mapped_column(default=False)
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizQuestionTally(Base):
    """How often a question was answered, and wrongly, in finished attempts per local day: the
    console's "hardest questions" read these few rows instead of every answer ever given."""

    __tablename__ = "quiz_question_tallies"

    set_slug: Mapped[str] = mapped_column(String(64), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    answered: Mapped[int] = mapped_column(default=0)
    wrong: Mapped[int] = mapped_column(default=0)  # wrong or timed out


class QuizTarget(Base):
    """A skill-building target: by `due_on`, `required_rate` of a unit's headcount have passed
    every set in `set_slugs` (passes between `starts_on` and `due_on` count)."""

    __tablename__ = "quiz_targets"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(String(255))
    period: Mapped[str] = mapped_column(String(100), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    include_subunits: Mapped[bool] = mapped_column(default=True)
    set_slugs: Mapped[list[Any]] = mapped_column(JSON)
    required_rate: Mapped[float] = mapped_column(default=0.8)
    starts_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class QuizTargetMember(Base):
    """One person's standing against one target, kept up to date when a counted attempt finishes
    (and rebuilt when the target changes), so leaderboards aggregate one row per person instead
    of every attempt. Rows for people outside the target's units are harmless: queries join
    `users` for the unit and the registration."""

    __tablename__ = "quiz_target_members"

    target_id: Mapped[int] = mapped_column(
        ForeignKey("quiz_targets.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    score_sum: Mapped[float] = mapped_column(default=0.0)  # sum over sets of the best score
    score_count: Mapped[int] = mapped_column(default=0)  # sets attempted
    sets_passed: Mapped[int] = mapped_column(default=0)
    last_pass: Mapped[datetime | None]  # when the latest of the first passes per set happened


class StaffRosterEntry(Base):
    """A staff member listed by their unit (imported CSV), registered with the bot or not."""

    __tablename__ = "staff_roster"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id", ondelete="CASCADE"), index=True)
    full_name: Mapped[str] = mapped_column(String(200))
    name_folded: Mapped[str] = mapped_column(String(200))
    position: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str | None] = mapped_column(String(32))
    # What the person types to show the entry is theirs (with the phone): never shown back.
    email: Mapped[str | None] = mapped_column(String(200))
    staff_code: Mapped[str | None] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
