"""Importing the unit tree from CSV: BOM, line-numbered errors, re-import updates, any depth."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import BotApp
from bot.config import Settings
from bot.core.csv_text import CsvUnreadable
from bot.storage.models import Unit

HEADER = "code,name,parent_code,kind,headcount,head_name,invite_code\n"


async def test_demo_tree_is_loaded_with_paths(bot: BotApp) -> None:
    found = await bot.services.units.search("khoa hoc")
    names = [unit.name for unit in found.units]
    assert "Sở Khoa học và Công nghệ" in names
    result = await bot.services.units.search("Phuong Buon Ma Thuot")
    assert any(unit.name == "Phường Buôn Ma Thuột" for unit in result.units)


async def test_the_demo_import_on_a_clean_database_makes_the_units_test_bots_start_with(
    settings: Settings, demo_units: list[dict[str, object]]
) -> None:
    """The `bot` fixture copies the rows of one real import of the demo units per backend
    (tests/conftest.py); the import run here, on a clean database, makes the same rows."""
    app = BotApp.build(settings)
    try:
        report = await app.services.units.import_csv(Path("bot/demo/units.csv"))
        assert report.ok and report.created == len(demo_units)
        async with app.db.transaction() as session:
            units = (await session.execute(select(Unit).order_by(Unit.id))).scalars().all()
        assert [
            {name: getattr(unit, name) for name in demo_units[0]} for unit in units
        ] == demo_units
    finally:
        await app.close()


async def test_a_test_bots_demo_units_are_whole(
    bot: BotApp, demo_units: list[dict[str, object]]
) -> None:
    """A re-import of the demo units only updates them; the next unit gets the next id (the
    PostgreSQL sequence moved on as an import would have moved it)."""
    again = await bot.services.units.import_csv(Path("bot/demo/units.csv"))
    assert again.ok and (again.created, again.updated) == (0, len(demo_units))
    added = await bot.services.units.import_text(HEADER + "ZZ1,Đơn vị mới,,so,1,,\n")
    assert added.ok and added.created == 1
    assert (await bot.services.units.search("ZZ1")).units[0].id == len(demo_units) + 1


async def test_bom_deep_tree_and_reimport_updates(bot: BotApp, tmp_path: Path) -> None:
    rows = HEADER + "A,Gốc,,tinh,0,,\nB,Con,A,so,10,,inv-b\nC,Cháu,B,phong,5,,\nD,Chắt,C,to,2,,\n"
    file = tmp_path / "units.csv"
    file.write_bytes(b"\xef\xbb\xbf" + rows.encode("utf-8"))
    first = await bot.services.units.import_csv(file)
    assert first.ok and first.created == 4
    file.write_text(HEADER + "D,Tổ Chắt mới,B,to,3,,\n", encoding="utf-8")
    second = await bot.services.units.import_csv(file)
    assert second.ok and (second.created, second.updated) == (0, 1)
    moved = (await bot.services.units.search("chat moi")).units[0]
    assert moved.headcount == 3
    assert (await bot.services.units.get(moved.parent_id)).code == "B"  # type: ignore[union-attr]
    assert (await bot.services.units.by_invite_code("INV-B")).code == "B"  # type: ignore[union-attr]


async def test_errors_name_their_lines_and_change_nothing(bot: BotApp) -> None:
    content = HEADER + (
        "X1,Đơn vị một,,so,abc,,\n"  # line 2: headcount
        "X2,,,so,3,,\n"  # line 3: no name
        "X3,Đơn vị ba,KHONGCO,so,3,,\n"  # line 4: unknown parent
        "X1,Trùng mã,,so,3,,\n"  # line 5: duplicate code
        "X 4,Sai mã,,so,3,,\n"  # line 6: code format
    )
    report = await bot.services.units.import_text(content)
    text = "\n".join(report.errors)
    for line in ("Dòng 2", "Dòng 3", "Dòng 5", "Dòng 6"):
        assert line in text, text
    assert not (await bot.services.units.search("Đơn vị ba")).units


async def test_cycles_and_missing_header_are_refused(bot: BotApp) -> None:
    report = await bot.services.units.import_text(HEADER + "P,Một,Q,so,1,,\nQ,Hai,P,so,1,,\n")
    assert any("vòng lặp" in error for error in report.errors)
    report = await bot.services.units.import_text("ma,ten\nA,B\n")
    assert report.errors and "Dòng 1" in report.errors[0]


async def test_spreadsheet_csv_variants_are_read(bot: BotApp, tmp_path: Path) -> None:
    """Excel on Vietnamese Windows separates with ";" (the comma is the decimal mark); "CSV UTF-8"
    adds a BOM; "Unicode Text" is UTF-16 with tabs. Windows-1258 is refused, with the fix."""
    rows = [
        ["code", "name", "parent_code", "kind", "headcount", "head_name", "invite_code"],
        ["S1", "Sở Một; Khối A", "", "so", "10", "Nguyễn Văn A", ""],
        ["S2", "Phòng Hai", "S1", "phong", "5", "", ""],
    ]

    def text(separator: str) -> str:
        quote = [f'"{cell}"' if separator in cell else cell for row in rows for cell in row]
        width = len(rows[0])
        return "\r\n".join(
            separator.join(quote[i : i + width]) for i in range(0, len(quote), width)
        )

    file = tmp_path / "units.csv"
    file.write_bytes(b"\xef\xbb\xbf" + text(";").encode("utf-8"))
    report = await bot.services.units.import_csv(file)
    assert report.ok and report.created == 2, report.errors
    assert (await bot.services.units.search("S1")).units[0].name == "Sở Một; Khối A"
    file.write_bytes(text("\t").encode("utf-16"))
    report = await bot.services.units.import_csv(file)
    assert report.ok and report.updated == 2, report.errors
    file.write_bytes(b"".join(_cp1258(char) for char in text(",")))
    with pytest.raises(CsvUnreadable, match="CSV UTF-8"):
        await bot.services.units.import_csv(file)


def _cp1258(char: str) -> bytes:
    """A character as Windows-1258 writes it: a precomposed letter when it has one, and the tone
    mark (grave, acute, tilde, hook, dot below) as a combining character after it."""
    try:
        return char.encode("cp1258")
    except UnicodeEncodeError:
        parts = unicodedata.normalize("NFD", char)
        tones = [mark for mark in parts if mark in "\u0300\u0301\u0303\u0309\u0323"]
        letter = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        return (letter + "".join(tones)).encode("cp1258")
