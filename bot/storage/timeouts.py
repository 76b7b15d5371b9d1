"""The database time-outs, a plain value (settings build it without importing the driver)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How long to wait for the database before calling it unavailable (seconds; 0 = no limit).

    `connect`: opening a connection; `statement`: one statement (PostgreSQL cancels it on the
    server, and the client gives up a second later if the server does not answer at all);
    `pool`: waiting for a free pooled connection; `busy`: SQLite waiting for another writer."""

    connect: float = 5.0
    statement: float = 10.0
    pool: float = 5.0
    busy: float = 5.0
