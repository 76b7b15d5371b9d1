"""Building the views of nominations from their rows (inside a caller's transaction)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.nominations.types import (
    Action,
    AttachmentView,
    Category,
    Contact,
    HistoryEntry,
    NominationDetail,
    OwnNomination,
    Status,
    SupporterView,
)
from bot.services.users import Profile
from bot.storage.models import Nomination, NominationAttachment, NominationSupport
from bot.storage.repositories import nomination_rounds as round_repo
from bot.storage.repositories import nominations as repo

DECISIONS = (Action.APPROVED, Action.REJECTED, Action.MORE_INFO)


def contact_snapshot(user: Profile) -> dict[str, Any]:
    """What is kept of a nominator's profile with their nomination."""
    return {
        "channel": user.channel,
        "kind": user.kind,
        "full_name": user.full_name,
        "position": user.position,
        "unit_name": user.unit_name,
    }


def actor_label(user: Profile) -> str:
    """How a person is named in a nomination's history."""
    return user.full_name or f"{user.channel}:{user.external_id}"


def _contact(data: dict[str, Any] | None) -> Contact | None:
    if not data:
        return None
    return Contact(
        data.get("channel", ""),
        data.get("kind"),
        data.get("full_name"),
        data.get("position"),
        data.get("unit_name"),
    )


def _attachment(row: NominationAttachment) -> AttachmentView:
    return AttachmentView(row.channel, row.kind, row.ref, row.file_name, row.mime_type, row.size)


def _supporter(row: NominationSupport, files: list[NominationAttachment]) -> SupporterView:
    return SupporterView(
        contact=_contact(row.contact),
        nominee_name=row.nominee_name,
        reason=row.reason,
        results=row.results,
        evidence_note=row.evidence_note,
        at=row.created_at,
        attachments=tuple(_attachment(f) for f in files if f.support_id == row.id),
    )


async def load_detail(session: AsyncSession, nomination: Nomination) -> NominationDetail:
    """Everything about a nomination, for the council."""
    round_row = await round_repo.round_by_id(session, round_id=nomination.round_id)
    files = await repo.attachments_of(session, nomination_id=nomination.id)
    supports = await repo.supports_of(session, nomination_id=nomination.id)
    history = await repo.history_of(session, nomination_id=nomination.id)
    return NominationDetail(
        id=nomination.id,
        code=nomination.code,
        round_name=round_row.name if round_row else "",
        round_code=round_row.code if round_row else "",
        category=Category(nomination.kind),
        nominee_name=nomination.nominee_name,
        unit_name=await repo.unit_name(session, unit_id=nomination.unit_id),
        position=nomination.position,
        achievements=nomination.achievements,
        results=nomination.results,
        evidence_note=nomination.evidence_note,
        status=Status(nomination.status),
        submitted_at=nomination.submitted_at,
        contact=_contact(nomination.nominator_contact),
        attachments=tuple(_attachment(f) for f in files if f.support_id is None),
        supporters=tuple(_supporter(row, files) for row in supports),
        history=tuple(HistoryEntry(Action(h.action), h.actor_label, h.note, h.at) for h in history),
    )


async def load_own(
    session: AsyncSession, nomination: Nomination, support: NominationSupport | None
) -> OwnNomination:
    """A nomination as its author (or a supporter) wrote it, with the council's decisions.

    Nothing written by anyone else is included, and reviewers are not named.
    """
    round_row = await round_repo.round_by_id(session, round_id=nomination.round_id)
    history = await repo.history_of(session, nomination_id=nomination.id)
    decisions = tuple(
        HistoryEntry(Action(h.action), None, h.note, h.at) for h in history if h.action in DECISIONS
    )
    mine = support is not None
    return OwnNomination(
        id=nomination.id,
        code=nomination.code,
        round_name=round_row.name if round_row else "",
        category=Category(support.kind if mine else nomination.kind),
        nominee_name=support.nominee_name if mine else nomination.nominee_name,
        unit_name=await repo.unit_name(session, unit_id=nomination.unit_id),
        position=support.position if mine else nomination.position,
        text=support.reason if mine else nomination.achievements,
        results=support.results if mine else nomination.results,
        status=Status(nomination.status),
        at=support.created_at if mine else nomination.submitted_at,
        as_supporter=mine,
        decisions=decisions,
    )
