"""The elevated roles (kept apart from the users service so the command line can name them
without loading the database layer)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """Elevated roles, granted from the command line."""

    ADMIN = "admin"
    COUNCIL = "council"
    MANAGER = "manager"
