"""Submitting nominations (with reference codes and duplicate detection) and a person's own list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.redact import scrub
from bot.core.text import fold_words
from bot.nominations.details import actor_label, contact_snapshot, load_own
from bot.nominations.drafts import Draft, DraftService
from bot.nominations.review import ReviewService
from bot.nominations.rounds import RoundService, view
from bot.nominations.types import Action, OwnNomination, RoundView, Status
from bot.services.users import Profile
from bot.storage.db import Database
from bot.storage.models import (
    Nomination,
    NominationAttachment,
    NominationDraft,
    NominationHistory,
    NominationSupport,
)
from bot.storage.repositories import nomination_rounds as round_repo
from bot.storage.repositories import nominations as repo
from bot.storage.repositories.records import rows_as_dicts

CODE_PREFIX = "DC"


class Outcome(StrEnum):
    """What became of a submission."""

    CREATED = "created"
    JOINED = "joined"  # linked to an existing nomination of the same nominee as a supporter
    ALREADY = "already"  # this person already nominated or supports this nominee
    NO_ROUND = "no_round"
    CATEGORY_CLOSED = "category_closed"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True, slots=True)
class Submission:
    """The outcome of a submission, with what the reply needs."""

    outcome: Outcome
    code: str = ""
    round: RoundView | None = None
    next_round: RoundView | None = None


def format_code(year: int, number: int) -> str:
    """A reference code such as DC-2026-0042."""
    return f"{CODE_PREFIX}-{year}-{number:04d}"


class NominationService:
    """Everything nominations offer to handlers and the command line."""

    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._tz = settings.tz
        self.max_attachments = settings.nomination_max_attachments
        self.max_attachment_bytes = settings.nomination_max_attachment_mb * 1024 * 1024
        self.rounds = RoundService(db, clock, settings.tz)
        self.drafts = DraftService(db, clock)
        self.review = ReviewService(db, clock)

    async def submit(self, user: Profile) -> Submission:
        """Send the person's finished form to the council, or link it to the same nominee's."""
        now = self._clock.now()
        local = now.astimezone(self._tz)
        async with self._db.transaction() as session:
            await round_repo.lock_year(session, year=local.year)
            row = await round_repo.get_draft(session, user_id=user.id)
            draft = Draft.from_json(row.data) if row else None
            if draft is None or draft.missing() is not None:
                return Submission(Outcome.INCOMPLETE)
            found = await round_repo.open_on(session, day=local.date())
            if found is None:
                upcoming = await round_repo.next_after(session, day=local.date())
                return Submission(Outcome.NO_ROUND, next_round=view(upcoming) if upcoming else None)
            current = view(found)
            if draft.category not in current.categories:
                return Submission(Outcome.CATEGORY_CLOSED, round=current)
            assert draft.nominee_name is not None and draft.unit_id is not None
            existing = await repo.find_duplicate(
                session,
                round_id=current.id,
                unit_id=draft.unit_id,
                name_key=fold_words(draft.nominee_name),
            )
            if existing is not None:
                if existing.nominator_id == user.id or await repo.support_by(
                    session, nomination_id=existing.id, user_id=user.id
                ):
                    return Submission(Outcome.ALREADY, existing.code, current)
                await self._add_support(session, existing.id, draft, user)
                await round_repo.delete_draft(session, user_id=user.id)
                return Submission(Outcome.JOINED, existing.code, current)
            code = format_code(local.year, await round_repo.next_number(session, year=local.year))
            nomination = await repo.add_nomination(
                session,
                code=code,
                round_id=current.id,
                kind=draft.category,
                nominee_name=draft.nominee_name,
                name_key=fold_words(draft.nominee_name),
                unit_id=draft.unit_id,
                position=draft.position,
                achievements=draft.achievements,
                results=draft.results,
                evidence_note=draft.evidence_note,
                status=Status.PENDING,
                nominator_id=user.id,
                nominator_contact=contact_snapshot(user),
                submitted_at=now,
                updated_at=now,
            )
            await repo.add_attachments(
                session,
                nomination_id=nomination.id,
                support_id=None,
                items=draft.attachments,
                now=now,
            )
            await repo.add_history(
                session,
                nomination_id=nomination.id,
                action=Action.SUBMITTED,
                actor_id=user.id,
                actor_label=actor_label(user),
                note=None,
                at=now,
            )
            await round_repo.delete_draft(session, user_id=user.id)
            return Submission(Outcome.CREATED, code, current)

    async def _add_support(
        self, session: AsyncSession, nomination_id: int, draft: Draft, user: Profile
    ) -> None:
        now = self._clock.now()
        support = await repo.add_support(
            session,
            nomination_id=nomination_id,
            user_id=user.id,
            contact=contact_snapshot(user),
            kind=draft.category,
            nominee_name=draft.nominee_name,
            position=draft.position,
            reason=draft.achievements,
            results=draft.results,
            evidence_note=draft.evidence_note,
            created_at=now,
        )
        await repo.add_attachments(
            session,
            nomination_id=nomination_id,
            support_id=support.id,
            items=draft.attachments,
            now=now,
        )
        await repo.add_history(
            session,
            nomination_id=nomination_id,
            action=Action.SUPPORTED,
            actor_id=user.id,
            actor_label=actor_label(user),
            note=None,
            at=now,
        )

    async def mine(self, user_id: int, *, limit: int = 20) -> list[OwnNomination]:
        """The person's nominations and supports, newest first."""
        async with self._db.transaction() as session:
            rows = await repo.involving(session, user_id=user_id, limit=limit)
            return [await load_own(session, nomination, support) for nomination, support in rows]

    async def own(self, user_id: int, nomination_id: int) -> OwnNomination | None:
        """One of the person's nominations; None for anyone else's (or a made-up id)."""
        async with self._db.transaction() as session:
            return await self._own(session, user_id, nomination_id)

    async def supplement(
        self, user: Profile, nomination_id: int, text: str, files: Sequence[dict[str, Any]]
    ) -> OwnNomination | None:
        """Add the information the council asked for; the nomination goes back to review.

        None when the nomination is not the person's or is not waiting for information.
        """
        now = self._clock.now()
        async with self._db.transaction() as session:
            own = await self._own(session, user.id, nomination_id)
            if own is None or own.status is not Status.MORE_INFO:
                return None
            if not await repo.set_status(
                session,
                nomination_id=nomination_id,
                expected=Status.MORE_INFO,
                status=Status.PENDING,
                now=now,
            ):
                return None
            support = await repo.support_by(session, nomination_id=nomination_id, user_id=user.id)
            await repo.add_attachments(
                session,
                nomination_id=nomination_id,
                support_id=support.id if support else None,
                items=files,
                now=now,
            )
            await repo.add_history(
                session,
                nomination_id=nomination_id,
                action=Action.SUPPLEMENTED,
                actor_id=user.id,
                actor_label=actor_label(user),
                note=text,
                at=now,
            )
            return await self._own(session, user.id, nomination_id)

    async def export_xlsx(self, round_code: str) -> tuple[RoundView, bytes] | None:
        """The council's spreadsheet of a round; None for an unknown round."""
        found = await self.rounds.get(round_code)
        if found is None:
            return None
        details = await self.review.in_round(found.id)
        # Imported here: openpyxl is for the council's exports, not for every process start.
        from bot.nominations.export import workbook_bytes

        return found, workbook_bytes(found, details, self._tz, now=self._clock.now())

    async def _own(
        self, session: AsyncSession, user_id: int, nomination_id: int
    ) -> OwnNomination | None:
        nomination = await repo.by_id(session, nomination_id=nomination_id)
        if nomination is None:
            return None
        support = await repo.support_by(session, nomination_id=nomination_id, user_id=user_id)
        if nomination.nominator_id != user_id and support is None:
            return None
        return await load_own(session, nomination, support)


async def erase_nominator(session: AsyncSession, user_id: int) -> None:
    """Personal-data deletion: the person's draft goes; their identity is removed from their
    nominations, supports and history entries, and their own name, phone numbers, e-mail
    addresses and ID numbers are masked in everything they wrote (and in file names they sent).
    What they wrote about the nominee stays, de-identified, for the council."""
    await round_repo.delete_draft(session, user_id=user_id)
    await repo.forget_person(session, user_id=user_id, scrub=scrub)


async def export_nominations(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """The person's nominations, supports (with the evidence they sent), draft and history
    entries, as stored."""
    nominations = await rows_as_dicts(session, Nomination, Nomination.nominator_id == user_id)
    supports = await rows_as_dicts(session, NominationSupport, NominationSupport.user_id == user_id)
    attachments = await rows_as_dicts(
        session,
        NominationAttachment,
        NominationAttachment.nomination_id.in_([n["id"] for n in nominations])
        | NominationAttachment.support_id.in_([s["id"] for s in supports]),
    )
    return {
        "nominations": nominations,
        "supports": supports,
        "evidence": attachments,
        "draft": await rows_as_dicts(session, NominationDraft, NominationDraft.user_id == user_id),
        "history": await rows_as_dicts(
            session, NominationHistory, NominationHistory.actor_id == user_id
        ),
    }
