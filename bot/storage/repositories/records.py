"""Rows as plain data: every column of the rows matching a condition (a person's data export
shows what is stored exactly as stored, so no column is ever left out by accident)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase


async def rows_as_dicts(
    session: AsyncSession, model: type[DeclarativeBase], *where: ColumnElement[bool]
) -> list[dict[str, Any]]:
    """Every column of every row of `model` matching `where`, in primary-key order."""
    table = model.__table__  # type: ignore[attr-defined]
    statement = select(table).where(*where).order_by(*table.primary_key.columns)
    return [dict(row._mapping) for row in (await session.execute(statement)).all()]
