"""The nomination form being filled in, kept in the database so that it survives restarts."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from enum import StrEnum
from typing import Any

from bot.core.clock import Clock
from bot.core.events import Attachment
from bot.nominations.types import Category, category_of
from bot.storage.db import Database
from bot.storage.repositories import nomination_rounds as repo


class Field(StrEnum):
    """The questions of the form, in the order they are asked (values appear in button actions)."""

    CATEGORY = "category"
    NAME = "name"
    UNIT = "unit"
    POSITION = "position"
    ACHIEVEMENTS = "achievements"
    RESULTS = "results"
    EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class Draft:
    """What the person has answered so far (text exactly as typed)."""

    category: Category | None = None
    nominee_name: str | None = None
    unit_id: int | None = None
    unit_name: str | None = None
    position: str | None = None
    achievements: str | None = None
    results: str | None = None
    results_done: bool = False
    evidence_note: str | None = None
    evidence_done: bool = False
    attachments: tuple[dict[str, Any], ...] = field(default=())

    def missing(self) -> Field | None:
        """The first question not yet answered, or None when the form is complete."""
        if self.category is None:
            return Field.CATEGORY
        if self.nominee_name is None:
            return Field.NAME
        if self.unit_id is None:
            return Field.UNIT
        if self.category is Category.PERSON and self.position is None:
            return Field.POSITION
        if self.achievements is None:
            return Field.ACHIEVEMENTS
        if not self.results_done:
            return Field.RESULTS
        if not self.evidence_done:
            return Field.EVIDENCE
        return None

    def to_json(self) -> dict[str, Any]:
        """The stored form."""
        data = asdict(self)
        data["category"] = self.category.value if self.category else None
        data["attachments"] = [dict(item) for item in self.attachments]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Draft:
        """Read the stored form back, ignoring keys from other versions."""
        known = {f.name for f in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        values["category"] = category_of(values.get("category"))
        values["attachments"] = tuple(values.get("attachments") or ())
        return cls(**values)


def attachment_record(channel: str, attachment: Attachment) -> dict[str, Any]:
    """What is kept of an attachment: the channel's handle and its metadata."""
    return {
        "channel": channel,
        "kind": attachment.kind[:32],
        "ref": attachment.ref,
        "file_name": (attachment.file_name or "")[:255] or None,
        "mime_type": (attachment.mime_type or "")[:128] or None,
        "size": attachment.size,
    }


class DraftService:
    """Reads and changes a person's unfinished nomination."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock

    async def get(self, user_id: int) -> Draft | None:
        """The unfinished nomination, if any."""
        async with self._db.transaction() as session:
            row = await repo.get_draft(session, user_id=user_id)
            return Draft.from_json(row.data or {}) if row else None

    async def start(self, user_id: int) -> Draft:
        """Begin an empty form (replacing any unfinished one)."""
        draft = Draft()
        await self._save(user_id, draft)
        return draft

    async def update(self, user_id: int, **changes: Any) -> Draft:
        """Change some answers and keep the form."""
        async with self._db.transaction() as session:
            row = await repo.get_draft(session, user_id=user_id)
            draft = replace(Draft.from_json(row.data if row else {}), **changes)
            await repo.save_draft(
                session, user_id=user_id, data=draft.to_json(), now=self._clock.now()
            )
            return draft

    async def add_attachment(
        self, user_id: int, record: dict[str, Any], *, limit: int
    ) -> Draft | None:
        """Add a piece of evidence; None when the form already has `limit` of them."""
        async with self._db.transaction() as session:
            row = await repo.get_draft(session, user_id=user_id)
            draft = Draft.from_json(row.data if row else {})
            if len(draft.attachments) >= limit:
                return None
            draft = replace(draft, attachments=draft.attachments + (record,))
            await repo.save_draft(
                session, user_id=user_id, data=draft.to_json(), now=self._clock.now()
            )
            return draft

    async def discard(self, user_id: int) -> None:
        """Forget the unfinished nomination."""
        async with self._db.transaction() as session:
            await repo.delete_draft(session, user_id=user_id)

    async def _save(self, user_id: int, draft: Draft) -> None:
        async with self._db.transaction() as session:
            await repo.save_draft(
                session, user_id=user_id, data=draft.to_json(), now=self._clock.now()
            )
