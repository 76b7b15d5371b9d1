"""The unit tree as the web console edits it: browsing, headcounts, managers, CSV export (the
import goes through `UnitService.import_text`, the same validation as `cdsbot units import`)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from bot.core.text import fold_words
from bot.services.units import COLUMNS
from bot.services.users import Role, UserService
from bot.storage.db import Database
from bot.storage.models import Unit
from bot.storage.repositories import unit_admin as repo
from bot.storage.repositories import units as unit_repo


@dataclass(frozen=True, slots=True)
class UnitRow:
    """A unit in a listing: its figures and where it sits."""

    id: int
    code: str
    name: str
    path: str
    kind: str
    headcount: int
    registered: int
    has_children: bool


@dataclass(frozen=True, slots=True)
class Manager:
    """Someone who manages a unit, and the reference to revoke them by."""

    ref: str  # CHANNEL:ID
    name: str


@dataclass(frozen=True, slots=True)
class UnitPage:
    """A unit with its ancestors (breadcrumb), children and managers; None: the roots."""

    unit: UnitRow | None
    ancestors: list[UnitRow]
    children: list[UnitRow]
    managers: list[Manager]


class UnitAdminService:
    """Browse and edit units for the console."""

    def __init__(self, db: Database, users: UserService) -> None:
        self._db = db
        self._users = users

    async def page(self, unit_id: int | None) -> UnitPage | None:
        """A unit (or the roots) with what the console shows of it; None if no such unit."""
        async with self._db.transaction() as session:
            unit = await unit_repo.by_id(session, unit_id=unit_id) if unit_id else None
            if unit_id and unit is None:
                return None
            kids = await unit_repo.children(session, parent_id=unit.id if unit else None)
            ancestors = []
            if unit is not None:
                codes = unit.path.strip("/").split("/")[:-1]
                for code in codes:
                    found = await unit_repo.by_code(session, code=code)
                    if found is not None:
                        ancestors.append(found)
            counts = await repo.registered_staff(
                session, unit_ids=[u.id for u in [*kids, *([unit] if unit else [])]]
            )
            grandkids = {
                u.id: bool(await unit_repo.children(session, parent_id=u.id)) for u in kids
            }
            managers = await repo.managers(session, unit_id=unit.id) if unit else []
        return UnitPage(
            unit=_row(unit, counts, True) if unit else None,
            ancestors=[_row(a, counts, True) for a in ancestors],
            children=[_row(k, counts, grandkids[k.id]) for k in kids],
            managers=[Manager(f"{m.channel}:{m.external_id}", m.full_name or "") for m in managers],
        )

    async def search(self, query: str, *, limit: int = 50) -> list[UnitRow]:
        """Units whose name holds every word typed, diacritics optional."""
        words = fold_words(query).split()
        if not words:
            return []
        async with self._db.transaction() as session:
            found = await unit_repo.search(session, folded_words=words, limit=limit)
            counts = await repo.registered_staff(session, unit_ids=[u.id for u in found])
        return [_row(u, counts, False) for u in found]

    async def set_headcount(self, unit_id: int, headcount: int) -> tuple[int, int] | None:
        """(before, after), or None if the unit does not exist."""
        async with self._db.transaction() as session:
            old = await repo.set_headcount(session, unit_id=unit_id, headcount=headcount)
        return None if old is None else (old, headcount)

    async def add_manager(self, unit_code: str, ref: str) -> None:
        """Make CHANNEL:ID a manager of the unit (raises UnknownUser / LookupError)."""
        channel, _, external_id = ref.partition(":")
        await self._users.grant(
            channel=channel, external_id=external_id, role=Role.MANAGER, unit_code=unit_code
        )

    async def remove_manager(self, unit_id: int, ref: str) -> bool:
        """Take the manager role for this unit away from CHANNEL:ID."""
        channel, _, external_id = ref.partition(":")
        async with self._db.transaction() as session:
            return await repo.remove_manager(
                session, unit_id=unit_id, channel=channel, external_id=external_id
            )

    async def export_csv(self) -> str:
        """Every unit in the import format (parents first), for Excel (UTF-8 with BOM)."""
        async with self._db.transaction() as session:
            units = await unit_repo.all_units(session)
        by_id = {u.id: u for u in units}
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for u in units:
            parent = by_id.get(u.parent_id) if u.parent_id else None
            writer.writerow(
                [
                    u.code,
                    _cell(u.name),
                    parent.code if parent else "",
                    u.kind,
                    u.headcount,
                    _cell(u.head_name),
                    u.invite_code or "",
                ]
            )
        return "\ufeff" + out.getvalue()


def _row(unit: Unit, counts: dict[int, int], has_children: bool) -> UnitRow:
    return UnitRow(
        unit.id,
        unit.code,
        unit.name,
        unit.path,
        unit.kind,
        unit.headcount,
        counts.get(unit.id, 0),
        has_children,
    )


def _cell(value: str) -> str:
    """Neutralise spreadsheet formulas."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
