"""Small portable helpers for the two supported dialects (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

Executor = AsyncSession | AsyncConnection
"""Where a repository function can run: an ORM session or a Core connection (hot paths)."""


def dialect_name(executor: Executor) -> str:
    """'sqlite' or 'postgresql', for a session or a connection."""
    if isinstance(executor, AsyncConnection):
        return executor.dialect.name
    return executor.bind.dialect.name


def insert_for(session: AsyncSession, table: Table | type) -> Any:
    """The dialect's INSERT construct (it has `on_conflict_do_nothing/update`)."""
    if session.bind.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted."""
    statement = insert_for(session, table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)
