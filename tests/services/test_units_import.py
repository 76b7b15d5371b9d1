"""Importing the unit tree from CSV: BOM, line-numbered errors, re-import updates, any depth."""

from __future__ import annotations

from pathlib import Path

from bot.app import BotApp

HEADER = "code,name,parent_code,kind,headcount,head_name,invite_code\n"


async def test_demo_tree_is_loaded_with_paths(bot: BotApp) -> None:
    found = await bot.services.units.search("khoa hoc")
    names = [unit.name for unit in found.units]
    assert "Sở Khoa học và Công nghệ" in names
    result = await bot.services.units.search("Phuong Buon Ma Thuot")
    assert any(unit.name == "Phường Buôn Ma Thuột" for unit in result.units)


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
