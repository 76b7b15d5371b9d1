"""Which database failures are outages (retry later) rather than bugs, and one log line per change
of the database's state instead of a traceback per failed call."""

from __future__ import annotations

import logging
import socket
import time

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("bot.storage")

OUTAGE_SQLSTATE_CLASSES = {"08", "28", "53", "57", "58"}
"""PostgreSQL error classes of a database that is unreachable or refusing work: connection
exceptions, rejected authentication, insufficient resources (too many connections), operator
intervention (statement timeout, administrator shutdown, terminated backend, starting up) and
system errors. Anything else (a constraint, a syntax error) is a bug, not an outage."""

SCHEMA_PROBLEMS = ("no such table", "no such column", "syntax error")
"""SQLite OperationalError messages that say the schema or a statement is wrong."""

CANDIDATES = (DBAPIError, PoolTimeout, ConnectionError, TimeoutError, socket.gaierror)
"""Exception types among which `is_outage` picks the outages (for `except` clauses)."""


def sqlstate(error: BaseException) -> str:
    """The PostgreSQL SQLSTATE behind a wrapped driver error, or ""."""
    for candidate in (getattr(error, "orig", None), error.__cause__):
        code = getattr(candidate, "sqlstate", None) or getattr(candidate, "pgcode", None)
        if code:
            return str(code)
    return ""


def is_outage(error: BaseException) -> bool:
    """Whether a failure means the database is down, unreachable, overloaded or too slow."""
    if isinstance(error, (PoolTimeout, ConnectionError, TimeoutError, socket.gaierror)):
        return True
    if isinstance(error, (OperationalError, InterfaceError)):
        # SQLite reports a missing table or column as an OperationalError too: that is a schema
        # that was never migrated (a bug to tell the operator about), not an outage.
        text = str(getattr(error, "orig", None) or error).lower()
        return not any(marker in text for marker in SCHEMA_PROBLEMS)
    if isinstance(error, DBAPIError):
        return bool(error.connection_invalidated) or sqlstate(error)[:2] in OUTAGE_SQLSTATE_CLASSES
    return False


def describe(error: BaseException) -> str:
    """A short, data-free description for logs (SQLAlchemy's own message carries the SQL
    parameters, which may hold what a person typed)."""
    inner = getattr(error, "orig", None) or error.__cause__
    parts = [type(error).__name__]
    if inner is not None:
        parts.append(type(inner.__cause__ or inner).__name__)
    code = sqlstate(error)
    return " / ".join(parts) + (f" (SQLSTATE {code})" if code else "")


class OutageLog:
    """Logs when storage goes down and when it comes back: once each, however many calls fail."""

    def __init__(self) -> None:
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        """Whether the last call to storage failed with an outage."""
        return self._down_since is not None

    def failed(self, error: BaseException) -> None:
        """A call failed with an outage."""
        if self._down_since is None:
            self._down_since = time.monotonic()
            log.error(
                "storage unavailable (%s): requests answered 503, jobs wait until it is back",
                describe(error),
            )

    def succeeded(self) -> None:
        """A call to storage went through."""
        if self._down_since is not None:
            log.warning("storage available again after %.0f s", time.monotonic() - self._down_since)
            self._down_since = None
