"""The project's error type for expected problems (bad input, a missing file, no database)."""

from __future__ import annotations


class UserError(Exception):
    """An expected problem whose message (Vietnamese, one or a few lines) tells the person what
    happened and what to do; front ends show it as it is, never with a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
