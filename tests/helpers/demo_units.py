"""The demo units (bot/demo/units.csv) in a test's database without importing them each time.

Importing the 128 demo units costs about 0.3–0.7 s per test (a query and a flush per row, more on
PostgreSQL and on a loaded machine), and most tests start with them. The import runs once per
backend and session (`import_once`, from the `demo_units` fixture in tests/conftest.py); a test's
bot then gets the rows it made in one statement (`load_demo_units`). The import itself is tested
in tests/services/test_units_import.py, including that it makes exactly these rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text

from bot.services.units import UnitService
from bot.storage.db import Database
from bot.storage.models import Unit
from bot.storage.models.base import utcnow

DEMO_UNITS = Path(__file__).resolve().parents[2] / "bot" / "demo" / "units.csv"
_COLUMNS = [c.name for c in Unit.__table__.columns if c.name not in ("created_at", "updated_at")]
_rows: dict[str, list[dict[str, Any]]] = {}
"""The rows one real import made, per backend ('sqlite', 'postgresql')."""


async def import_once(url: str) -> list[dict[str, Any]]:
    """Import the demo units into the clean database at `url` with the real import and keep
    the rows it made for this backend."""
    db = Database.from_url(url)
    try:
        report = await UnitService(db).import_csv(DEMO_UNITS)
        assert report.ok and report.created > 100, report.errors
        async with db.transaction() as session:
            units = (await session.execute(select(Unit).order_by(Unit.id))).scalars().all()
            rows = [{name: getattr(unit, name) for name in _COLUMNS} for unit in units]
        _rows[db.dialect] = rows
        return rows
    finally:
        await db.close()


async def load_demo_units(db: Database) -> None:
    """The demo units in `db`, as the import makes them (same ids, paths, folded names; the
    timestamps are now, as an import's would be). A database that already has units, or a
    backend not imported this session, gets the real import."""
    rows = _rows.get(db.dialect)
    async with db.transaction() as session:
        empty = rows is not None and not await session.scalar(select(func.count(Unit.id)))
        if empty:
            now = utcnow()
            await session.execute(
                insert(Unit), [{**row, "created_at": now, "updated_at": now} for row in rows]
            )
            if db.dialect == "postgresql":  # the import's inserts move the sequence on
                await session.execute(
                    text("SELECT setval(pg_get_serial_sequence('units', 'id'), max(id)) FROM units")
                )
    if not empty:
        report = await UnitService(db).import_csv(DEMO_UNITS)
        assert report.ok, report.errors
