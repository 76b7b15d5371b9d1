"""Turning decisions to send into outbox rows (written in the deciding transaction)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import reply_codec
from bot.core.replies import Reply
from bot.scheduler.timing import QuietHours
from bot.storage.models import Deadline
from bot.storage.repositories import outbox as outbox_repo
from bot.storage.repositories.audience import Person


class Purpose(StrEnum):
    """Why a push is sent; part of its unique key."""

    DEADLINE = "deadline"
    OVERDUE = "overdue"
    TIP = "tip"
    NUDGE = "nudge"
    SUMMARY = "summary"
    BROADCAST = "broadcast"
    NOTICE = "notice"
    VERIFY = "verify"  # a manager asked to confirm a staff member (occurrence "<user>:<unit>")


@dataclass(slots=True)
class Tally:
    """Outbox rows counted by outcome: sent, still waiting, and failed by reason."""

    total: int = 0
    sent: int = 0
    pending: int = 0
    failed: dict[str, int] = field(default_factory=dict)

    def add(self, status: str, reason: str, count: int) -> None:
        """Count `count` rows with this status and reason."""
        self.total += count
        if status == outbox_repo.SENT:
            self.sent += count
        elif status in (outbox_repo.PENDING, outbox_repo.SENDING):
            self.pending += count
        else:
            key = reason or status
            self.failed[key] = self.failed.get(key, 0) + count

    @property
    def done(self) -> bool:
        """Every row has a final outcome."""
        return self.pending == 0


@dataclass(frozen=True, slots=True)
class Push:
    """One message decided for one person; `occurrence` makes it unique within its purpose."""

    person: Person
    replies: tuple[Reply, ...]
    occurrence: str


def deadline_occurrence(deadline: Deadline, label: str) -> str:
    """The occurrence of a deadline's reminder round; a moved due time starts new rounds."""
    return f"{deadline.id}:{deadline.due_at:%Y%m%dT%H%M}:{label}"


def release_time(at: datetime, *, urgent: bool, quiet: QuietHours) -> datetime:
    """When a push decided at `at` may go out: at once if urgent, else after the quiet hours."""
    return at if urgent else quiet.release(at)


async def add(
    session: AsyncSession,
    purpose: Purpose,
    pushes: Iterable[Push],
    *,
    at: datetime,
    urgent: bool,
    quiet: QuietHours,
    deadline_id: int | None = None,
    broadcast_id: int | None = None,
) -> int:
    """Write pushes to the outbox in the caller's transaction; returns how many were new (a push
    already decided before — same purpose, person and occurrence — is not written again)."""
    available_at = release_time(at, urgent=urgent, quiet=quiet)
    rows: Sequence[dict[str, Any]] = [
        {
            "purpose": purpose.value,
            "recipient_id": push.person.id,
            "occurrence": push.occurrence[:200],
            "channel": push.person.channel,
            "chat_id": push.person.external_id,
            "payload": reply_codec.encode(push.replies),
            "urgent": urgent,
            "deadline_id": deadline_id,
            "broadcast_id": broadcast_id,
            "status": outbox_repo.PENDING,
            "available_at": available_at,
            "attempts": 0,
            "created_at": at,
        }
        for push in pushes
    ]
    return await outbox_repo.enqueue(session, rows=rows)
