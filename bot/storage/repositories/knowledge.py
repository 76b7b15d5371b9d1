"""Unanswered questions, answer feedback and published content versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import case, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import AnswerFeedback, ContentVersion, UnansweredQuestion


@dataclass(frozen=True, slots=True)
class UnansweredGroup:
    """One question text the bot declined, how often and when."""

    question: str
    times: int
    closest_topic: str | None
    best_score: float
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True, slots=True)
class FeedbackCount:
    """Votes on one topic's answer."""

    topic: str
    helpful: int
    unhelpful: int


async def add_unanswered(
    session: AsyncSession,
    *,
    question: str,
    closest_topic: str | None,
    score: float,
    content_version: str,
    now: datetime,
    asker_id: int | None = None,
) -> None:
    """Log a question the bot did not answer."""
    session.add(
        UnansweredQuestion(
            question=question,
            closest_topic=closest_topic,
            score=score,
            content_version=content_version,
            created_at=now,
            asker_id=asker_id,
        )
    )


async def unanswered_of(session: AsyncSession, *, user_id: int) -> list[UnansweredQuestion]:
    """The questions one person asked that the bot declined (their data export)."""
    rows = await session.scalars(
        select(UnansweredQuestion)
        .where(UnansweredQuestion.asker_id == user_id)
        .order_by(UnansweredQuestion.id)
    )
    return list(rows.all())


async def delete_unanswered_of(session: AsyncSession, *, user_id: int) -> None:
    """Forget one person's logged questions (personal-data erasure)."""
    await session.execute(delete(UnansweredQuestion).where(UnansweredQuestion.asker_id == user_id))


async def unanswered_groups(
    session: AsyncSession, *, since: datetime | None = None
) -> list[UnansweredGroup]:
    """Declined questions grouped by text, most frequent first."""
    q = UnansweredQuestion
    statement = (
        select(
            q.question,
            func.count(),
            func.max(q.closest_topic),
            func.max(q.score),
            func.min(q.created_at),
            func.max(q.created_at),
        )
        .group_by(q.question)
        .order_by(func.count().desc(), func.max(q.created_at).desc())
    )
    if since is not None:
        statement = statement.where(q.created_at >= since)
    rows = (await session.execute(statement)).all()
    return [
        UnansweredGroup(
            row[0], int(row[1]), row[2], float(row[3] or 0.0), _aware(row[4]), _aware(row[5])
        )
        for row in rows
    ]


def _aware(value: Any) -> datetime:
    # Aggregates bypass the column type, so SQLite hands back naive UTC (or text).
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


async def add_feedback(
    session: AsyncSession, *, topic: str, helpful: bool, content_version: str, now: datetime
) -> None:
    """Record a 👍 or 👎 on a topic's answer."""
    session.add(
        AnswerFeedback(
            topic=topic, helpful=helpful, content_version=content_version, created_at=now
        )
    )


async def feedback_counts(session: AsyncSession) -> list[FeedbackCount]:
    """Votes per topic, most unhelpful first."""
    f = AnswerFeedback
    helpful = func.sum(case((f.helpful, 1), else_=0))
    total = func.count()
    rows = (
        await session.execute(
            select(f.topic, helpful, total).group_by(f.topic).order_by((total - helpful).desc())
        )
    ).all()
    return [FeedbackCount(row[0], int(row[1] or 0), int(row[2]) - int(row[1] or 0)) for row in rows]


async def latest_version(session: AsyncSession) -> tuple[int, str] | None:
    """(id, fingerprint) of the newest published content, without its files."""
    row = (
        await session.execute(
            select(ContentVersion.id, ContentVersion.fingerprint)
            .order_by(ContentVersion.id.desc())
            .limit(1)
        )
    ).first()
    return None if row is None else (int(row[0]), str(row[1]))


async def version_files(session: AsyncSession, *, version_id: int) -> dict[str, str] | None:
    """The content files of a published version."""
    files = await session.scalar(
        select(ContentVersion.files).where(ContentVersion.id == version_id)
    )
    return None if files is None else {str(k): str(v) for k, v in files.items()}


async def publish_version(
    session: AsyncSession,
    *,
    fingerprint: str,
    files: dict[str, str],
    topic_count: int,
    now: datetime,
    keep: int = 10,
) -> int:
    """Store a validated snapshot as the newest version; keep only the last `keep` versions."""
    row = ContentVersion(
        fingerprint=fingerprint, files=files, topic_count=topic_count, created_at=now
    )
    session.add(row)
    await session.flush()
    stale = select(ContentVersion.id).order_by(ContentVersion.id.desc()).offset(keep)
    old_ids = list((await session.scalars(stale)).all())
    if old_ids:
        await session.execute(delete(ContentVersion).where(ContentVersion.id.in_(old_ids)))
    return int(row.id)
