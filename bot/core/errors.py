"""Errors the core and its callers share: storage that cannot be reached (try again later) and
expected problems whose message is shown as it is (bad input, a missing file, no database)."""

from __future__ import annotations


class StorageUnavailable(RuntimeError):
    """The database could not be reached, or did not answer within its time-outs: nothing of the
    work was committed, and the same work can be retried once storage is back (a webhook answers
    503 so that the platform redelivers; the web chat asks the person to send again)."""


class UserError(Exception):
    """An expected problem whose message (Vietnamese, one or a few lines) tells the person what
    happened and what to do; front ends show it as it is, never with a traceback."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
