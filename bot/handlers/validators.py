"""Checks for what people type into forms (names, positions)."""

from __future__ import annotations

import re

from bot.core.text import normalize

_NAME = re.compile(r"^[^\W\d_]+(?:[ '.\-][^\W\d_]+)*$", re.UNICODE)


def clean_person_name(raw: str) -> str | None:
    """A full name (2–100 characters, letters with spaces, hyphens, dots, apostrophes), or None."""
    value = normalize(raw)
    if not 2 <= len(value) <= 100 or not _NAME.match(value):
        return None
    return value


def clean_short_text(raw: str, *, minimum: int = 2, maximum: int = 100) -> str | None:
    """A short free text with at least one letter, or None."""
    value = normalize(raw)
    if not minimum <= len(value) <= maximum or not any(ch.isalpha() for ch in value):
        return None
    return value
