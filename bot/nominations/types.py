"""The vocabulary of nominations: categories, statuses, decisions, and the views handed out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class Category(StrEnum):
    """What is nominated (stored as text: never rename)."""

    PERSON = "person"
    COLLECTIVE = "collective"
    INITIATIVE = "initiative"


def category_of(value: object) -> Category | None:
    """The category a stored value names, or None for anything else."""
    return next((category for category in Category if category.value == value), None)


CATEGORY_ALIASES = {
    "person": Category.PERSON,
    "ca-nhan": Category.PERSON,
    "canhan": Category.PERSON,
    "collective": Category.COLLECTIVE,
    "tap-the": Category.COLLECTIVE,
    "tapthe": Category.COLLECTIVE,
    "initiative": Category.INITIATIVE,
    "sang-kien": Category.INITIATIVE,
    "sangkien": Category.INITIATIVE,
}
"""Names accepted on the command line (English ids and unaccented Vietnamese)."""


class Status(StrEnum):
    """Where a nomination is in the council's review (stored as text: never rename)."""

    PENDING = "pending"
    MORE_INFO = "more_info"
    APPROVED = "approved"
    REJECTED = "rejected"


class Decision(StrEnum):
    """What a reviewer can decide; each leads to a status."""

    APPROVE = "approve"
    REJECT = "reject"
    MORE_INFO = "more_info"

    @property
    def status(self) -> Status:
        """The status a nomination takes after this decision."""
        return {
            Decision.APPROVE: Status.APPROVED,
            Decision.REJECT: Status.REJECTED,
            Decision.MORE_INFO: Status.MORE_INFO,
        }[self]


class Action(StrEnum):
    """Entries of a nomination's history (stored as text: never rename)."""

    SUBMITTED = "submitted"
    SUPPORTED = "supported"
    APPROVED = "approve"
    REJECTED = "reject"
    MORE_INFO = "more_info"
    SUPPLEMENTED = "supplemented"


NOMINATOR_ACTIONS = (Action.SUBMITTED, Action.SUPPORTED, Action.SUPPLEMENTED)
"""History entries written by nominators (their identity is erased on request)."""


@dataclass(frozen=True, slots=True)
class RoundView:
    """A nomination round as people and administrators see it."""

    id: int
    code: str
    name: str
    categories: tuple[Category, ...]
    opens_on: date
    closes_on: date
    closed_at: datetime | None

    def is_open_on(self, day: date) -> bool:
        """Whether nominations are accepted on this local day."""
        return self.closed_at is None and self.opens_on <= day <= self.closes_on


@dataclass(frozen=True, slots=True)
class AttachmentView:
    """One piece of evidence."""

    channel: str
    kind: str
    ref: str
    file_name: str | None
    mime_type: str | None
    size: int | None


@dataclass(frozen=True, slots=True)
class Contact:
    """How the council can identify and reach a nominator (a snapshot of their profile)."""

    channel: str
    kind: str | None
    full_name: str | None
    position: str | None
    unit_name: str | None


@dataclass(frozen=True, slots=True)
class SupporterView:
    """A person who nominated the same nominee later, with their reason."""

    contact: Contact | None  # None once they erased their personal data
    nominee_name: str
    reason: str
    results: str | None
    evidence_note: str | None
    at: datetime
    attachments: tuple[AttachmentView, ...] = ()


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """Who did what to a nomination, when and why."""

    action: Action
    actor: str | None
    note: str | None
    at: datetime


@dataclass(frozen=True, slots=True)
class NominationDetail:
    """Everything about a nomination: for the council and administrators only."""

    id: int
    code: str
    round_name: str
    round_code: str
    category: Category
    nominee_name: str
    unit_name: str
    position: str | None
    achievements: str
    results: str | None
    evidence_note: str | None
    status: Status
    submitted_at: datetime
    contact: Contact | None
    attachments: tuple[AttachmentView, ...]
    supporters: tuple[SupporterView, ...]
    history: tuple[HistoryEntry, ...]


@dataclass(frozen=True, slots=True)
class OwnNomination:
    """A person's own nomination (or support) as they wrote it, with the council's decisions."""

    id: int
    code: str
    round_name: str
    category: Category
    nominee_name: str
    unit_name: str
    position: str | None
    text: str
    results: str | None
    status: Status
    at: datetime
    as_supporter: bool
    decisions: tuple[HistoryEntry, ...] = field(default=())
