"""Checks for each field of the nomination form.

What people type is stored exactly as typed (only surrounding blanks and invisible control
characters are removed); lengths and patterns are checked on the normalised form, so that text
from keyboards that send decomposed Unicode counts the same as composed text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.core.text import normalize
from bot.nominations.types import Category

PERSON_NAME = (2, 100)
TITLE = (3, 200)
POSITION = (2, 100)
ACHIEVEMENTS = (40, 2000)
RESULTS = (3, 500)
EVIDENCE_NOTE = (3, 1000)
REASON = (5, 1000)
SUPPLEMENT = (10, 2000)

_PERSON = re.compile(r"^[^\W\d_]+(?:[ '.\-]{1,2}[^\W\d_]+)*\.?$", re.UNICODE)
_KEPT_CONTROLS = {"\n", "\t"}


@dataclass(frozen=True, slots=True)
class Checked:
    """A checked value, or the reason it was refused (`problem` names a catalog message)."""

    value: str | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the value was accepted."""
        return self.problem is None


def as_typed(raw: str) -> str:
    """The text to store: as typed, minus surrounding blanks and invisible control characters."""
    cleaned = raw.replace("\r\n", "\n").replace("\r", "\n")
    cleaned = "".join(
        ch for ch in cleaned if ch in _KEPT_CONTROLS or unicodedata.category(ch) != "Cc"
    )
    return cleaned.strip()


def visible_length(text: str) -> int:
    """Characters as a reader counts them (composed form, blanks collapsed)."""
    return len(normalize(text))


def _free_text(
    raw: str, bounds: tuple[int, int], name: str, *, letters: bool = True, before: str = ""
) -> Checked:
    """Text within bounds (with a letter, unless `letters` is off); `before` is text it adds to."""
    value = as_typed(raw)
    combined = f"{before}\n{value}" if before else value
    if visible_length(value) < bounds[0]:
        return Checked(problem=f"{name}_short")
    if visible_length(combined) > bounds[1]:
        return Checked(problem=f"{name}_long")
    if letters and not any(ch.isalpha() for ch in value):
        return Checked(problem=f"{name}_letters")
    return Checked(combined)


def check_nominee_name(raw: str, category: Category) -> Checked:
    """A person's full name, or a collective's name or an initiative's title."""
    if category is not Category.PERSON:
        return _free_text(raw, TITLE, "title")
    value = as_typed(raw)
    length = visible_length(value)
    if not PERSON_NAME[0] <= length <= PERSON_NAME[1] or not _PERSON.match(normalize(value)):
        return Checked(problem="person_name")
    return Checked(value)


def check_position(raw: str) -> Checked:
    """The nominee's position (people only)."""
    return _free_text(raw, POSITION, "position")


def check_achievements(raw: str) -> Checked:
    """Achievements, or what an initiative does and for whom."""
    return _free_text(raw, ACHIEVEMENTS, "achievements")


def check_results(raw: str) -> Checked:
    """Measurable results ("giảm 30 % thời gian xử lý hồ sơ")."""
    return _free_text(raw, RESULTS, "results", letters=False)


def check_evidence_note(raw: str, already: str | None) -> Checked:
    """A description of evidence or a link, added to what was described before."""
    return _free_text(raw, EVIDENCE_NOTE, "evidence", letters=False, before=already or "")


def check_reason(raw: str) -> Checked:
    """A reviewer's reason for a decision."""
    return _free_text(raw, REASON, "reason")


def check_supplement(raw: str) -> Checked:
    """Information a nominator adds when the council asks for more."""
    return _free_text(raw, SUPPLEMENT, "supplement")
