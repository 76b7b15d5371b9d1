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


def insert_of(dialect: str, table: Table | type) -> Any:
    """The INSERT construct of a dialect by name (it has `on_conflict_do_nothing/update`);
    statements built once per dialect use this."""
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def insert_for(executor: Executor, table: Table | type) -> Any:
    """The INSERT construct of the dialect `executor` talks to."""
    return insert_of(dialect_name(executor), table)


async def insert_ignore(session: AsyncSession, table: Table, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING; True when a row was inserted."""
    statement = insert_for(session, table).values(**values).on_conflict_do_nothing()
    result = await session.execute(statement)
    return bool(result.rowcount)
