"""The optional staff roster: units' lists of staff, imported from CSV, so that managers also see
people who have not registered with the bot, and so that a person can confirm they are the staff
member an entry lists (their phone number, e-mail or staff code: see `bot.services.staff`)."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from pathlib import Path

from bot.core import csv_text
from bot.core.text import fold_words, normalize
from bot.storage.db import Database
from bot.storage.repositories import staff_roster as roster_repo
from bot.storage.repositories import units as unit_repo

COLUMNS = ("unit_code", "full_name", "position", "phone", "email", "staff_code")
REQUIRED = ("unit_code", "full_name")
_PHONE = re.compile(r"^\+?[0-9]{9,15}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(slots=True)
class RosterImport:
    """The outcome of a roster import: counts, or line-numbered errors (then nothing changed)."""

    people: int = 0
    units: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


class RosterService:
    """Imports the roster; progress reads it to list staff who have not registered."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def import_csv(self, path: Path) -> RosterImport:
        """Replace the roster of every unit named in the file; all or nothing."""
        return await self.import_text(await asyncio.to_thread(csv_text.read_file, path))

    async def import_text(self, content: str) -> RosterImport:
        """The same, from CSV text with a header row."""
        report = RosterImport()
        reader = csv_text.dict_rows(content)
        header = [name.strip() for name in (reader.fieldnames or [])]
        missing = [name for name in REQUIRED if name not in header]
        if missing:
            report.errors.append(
                f"Dòng 1: thiếu cột {', '.join(missing)} (cần: {', '.join(COLUMNS)})."
            )
            return report
        rows: list[tuple[int, str, dict[str, str | None]]] = []
        for number, raw in enumerate(reader, start=2):
            values = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            if not any(values.values()):
                continue
            name = normalize(values.get("full_name", ""))
            phone = re.sub(r"[\s.\-()]", "", values.get("phone", ""))
            problems = []
            if not values.get("unit_code"):
                problems.append("thiếu mã đơn vị")
            if not 2 <= len(name) <= 200 or not any(ch.isalpha() for ch in name):
                problems.append("họ và tên chưa đúng")
            if phone and not _PHONE.match(phone):
                problems.append(f"số điện thoại '{values.get('phone')}' chưa đúng")
            email = values.get("email", "").lower()
            if email and not _EMAIL.match(email):
                problems.append(f"e-mail '{values.get('email')}' chưa đúng")
            code = values.get("staff_code", "")
            if len(code) > 64:
                problems.append("mã cán bộ dài quá 64 ký tự")
            report.errors.extend(f"Dòng {number}: {problem}." for problem in problems)
            rows.append(
                (
                    number,
                    values.get("unit_code", ""),
                    {
                        "full_name": name,
                        "name_folded": fold_words(name),
                        "position": normalize(values.get("position", ""))[:200],
                        "phone": phone or None,
                        "email": email or None,
                        "staff_code": code or None,
                    },
                )
            )
        if not report.ok:
            return report
        async with self._db.transaction() as session:
            codes = sorted({code for _, code, _ in rows})
            units = {code: await unit_repo.by_code(session, code=code) for code in codes}
            for number, code, _ in rows:
                if units[code] is None:
                    report.errors.append(f"Dòng {number}: không có đơn vị mã '{code}'.")
            if not report.ok:
                return report
            entries = [dict(entry, unit_id=units[code].id) for _, code, entry in rows]  # type: ignore[union-attr]
            unit_ids = sorted({unit.id for unit in units.values() if unit is not None})
            await roster_repo.replace_for_units(session, unit_ids=unit_ids, entries=entries)
        report.people, report.units = len(rows), len(units)
        return report
