"""Reading fields of a platform's JSON payload whatever shape it arrives in: a signed or
authenticated payload can still be malformed (a number where an object belongs, a list where a
string belongs), and such a payload must be ignored, never crash the webhook."""

from __future__ import annotations

from typing import Any


def mapping(value: Any) -> dict[str, Any]:
    """`value` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def first_mapping(value: Any) -> dict[str, Any]:
    """The first element of a JSON array if it is an object, else an empty one."""
    return mapping(value[0]) if isinstance(value, list) and value else {}


def scalar(value: Any) -> str:
    """A string or an integer as text ("" for anything else: objects, lists, booleans, null)."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    return str(value)


def count(value: Any) -> int | None:
    """A non-negative size given as a number or as decimal digits, else None."""
    text = scalar(value)
    return int(text) if text.isascii() and text.isdigit() else None


MAX_ID_LENGTH = 64
"""Longer than any id a platform sends (Telegram's are 64-bit integers, Zalo's 20-odd digits or
32 hex characters), and short enough for every column that stores one."""


def plausible_ids(*ids: str) -> bool:
    """Whether platform ids (user, chat, message, event name) could be genuine: 0 to 64 visible
    ASCII characters. A payload with longer or stranger ids is malformed and is ignored."""
    return all(
        len(value) <= MAX_ID_LENGTH and value.isascii() and value.isprintable() for value in ids
    )
