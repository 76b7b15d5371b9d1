"""How audiences are written — the same names on the command line (`--audience under:SYT`) and
in deadline files (`audience: under:SYT` or `{kind: under, units: [SYT]}`). No database here, so
the command line can show the names in its help without loading anything."""

from __future__ import annotations

from enum import StrEnum


class AudienceKind(StrEnum):
    """Who a deadline or broadcast is for (stored as text)."""

    ALL_STAFF = "all_staff"
    MANAGERS = "managers"
    UNITS = "units"
    BELOW_TARGET = "below_target"
    SUBSCRIBERS = "subscribers"
    EVERYONE = "everyone"


SPEC_HELP = (
    "all-staff | managers | everyone | subscribers | units:MÃ1,MÃ2 | under:MÃ | "
    "below-target[:MÃ_CHỈ_TIÊU]"
)
"""The written forms, as the help and error messages show them."""

SIMPLE = {
    "all-staff": AudienceKind.ALL_STAFF,
    "managers": AudienceKind.MANAGERS,
    "everyone": AudienceKind.EVERYONE,
    "subscribers": AudienceKind.SUBSCRIBERS,
}
"""Names that need nothing after them."""
UNITS, UNDER, BELOW_TARGET = "units", "under", "below-target"


def name_of(text: object) -> str:
    """A written name in its one spelling: lower case, '-' between words ("all_staff" →
    "all-staff"), so that files and flags may use either."""
    return str(text or "").strip().lower().replace("_", "-")


def split(spec: str) -> tuple[str, str]:
    """ "under:SYT" → ("under", "SYT"); "All_Staff" → ("all-staff", "")."""
    head, _, rest = spec.strip().partition(":")
    return name_of(head), rest.strip()
