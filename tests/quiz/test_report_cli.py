"""The command line: targets, the XLSX report (opened with openpyxl) and the staff roster."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings
from bot.core.clock import FrozenClock
from tests.helpers.tables import table_rows
from tests.quiz.factories import SETS, TREE, add_result, make_staff

runner = CliRunner()

TARGETS = """targets:
  - code: T-2026
    title: Kỹ năng số và an toàn thông tin 2026
    period: 6 tháng đầu năm 2026
    unit: QROOT
    sets: [ky-nang-so-co-ban, an-toan-thong-tin]
    required_rate: 50%
    starts_on: 2026-01-01
    due_on: 2026-06-30
"""


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    return settings


async def _seed(settings: Settings) -> None:
    bot = BotApp.build(settings, clock=FrozenClock(datetime(2026, 6, 1, tzinfo=UTC)))
    try:
        assert (await bot.services.units.import_text(TREE)).ok
        ids = {
            code: (await bot.services.units.search(code)).units[0].id for code in ("QA", "QB", "QC")
        }
        when = datetime(2026, 5, 2, tzinfo=UTC)
        for unit, passed, failed in (("QA", 6, 1), ("QB", 3, 0), ("QC", 0, 1)):
            for n in range(passed + failed):
                uid = await make_staff(bot, ids[unit], f"{unit} Người {n}")
                score = 0.9 if n < passed else 0.5
                for slug in SETS:
                    await add_result(bot, uid, slug, score, when)
    finally:
        await bot.close()


def test_targets_report_and_roster(env: Settings, tmp_path: Path) -> None:
    asyncio.run(_seed(env))
    bad = tmp_path / "bad.yaml"
    bad.write_text(TARGETS.replace("QROOT", "KHONGCO").replace("50%", "150%"), encoding="utf-8")
    result = runner.invoke(cli, ["targets", "import", str(bad)])
    assert result.exit_code == 1
    assert "tỷ lệ yêu cầu" in result.output

    good = tmp_path / "targets.yaml"
    good.write_text(TARGETS, encoding="utf-8")
    result = runner.invoke(cli, ["targets", "import", str(good)])
    assert result.exit_code == 0 and "1 chỉ tiêu mới" in result.output, result.output
    result = runner.invoke(
        cli,
        [
            "targets",
            "add",
            "T-QA",
            "--title",
            "Chỉ riêng đơn vị A",
            "--unit",
            "QA",
            "--sets",
            "ky-nang-so-co-ban",
            "--from",
            "2026-01-01",
            "--due",
            "2026-03-31",
            "--rate",
            "90",
            "--only-unit",
        ],
    )
    assert result.exit_code == 0 and "Đã thêm chỉ tiêu T-QA" in result.output, result.output
    result = runner.invoke(
        cli,
        [
            "targets",
            "add",
            "T-X",
            "--title",
            "Sai",
            "--unit",
            "QA",
            "--sets",
            "khong-co",
            "--from",
            "2026-01-01",
            "--due",
            "2025-01-01",
        ],
    )
    assert result.exit_code == 1
    assert "không có bộ câu hỏi khong-co" in result.output
    assert "ngày hết hạn phải sau ngày bắt đầu" in result.output
    listing = runner.invoke(cli, ["targets", "list"]).output
    assert "T-2026" in listing and "T-QA" in listing
    shown = table_rows(runner.invoke(cli, ["targets", "show", "T-2026"]).output)
    # Same rate (60 %): B's average score (0.9) beats A's (one of A's staff failed).
    assert ["1", "QB", "Đơn vị B", "5", "3", "3", "60%"] in shown
    assert ["2", "QA", "Đơn vị A", "10", "7", "6", "60%"] in shown

    xlsx = tmp_path / "out" / "bao-cao.xlsx"
    result = runner.invoke(cli, ["report", "targets", "--xlsx", str(xlsx)])
    assert result.exit_code == 0, result.output
    book = load_workbook(xlsx)
    assert book.sheetnames == ["T-2026", "T-QA"]
    sheet = book["T-2026"]
    assert sheet["A1"].value == "Kỹ năng số và an toàn thông tin 2026"
    header = [cell.value for cell in sheet[5]]
    assert header == [
        "Hạng",
        "Mã đơn vị",
        "Đơn vị",
        "Biên chế",
        "Đã đăng ký",
        "Đã đạt",
        "Tỷ lệ đạt",
        "Điểm trung bình",
        "Đạt chỉ tiêu",
        "Thời điểm đạt chỉ tiêu",
    ]
    assert sheet["A4"].value.startswith("Số liệu tính đến ")
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=6)]
    by_code = {row[1]: row for row in rows if row[1]}
    assert by_code["QA"][:7] == [2, "QA", "Đơn vị A", 10, 7, 6, 0.6]
    assert by_code["QB"][:7] == [1, "QB", "Đơn vị B", 5, 3, 3, 0.6]
    assert by_code["QA"][8] == "Đạt" and by_code["QC"][8] == "Chưa"
    assert by_code["QC"][:7] == [3, "QC", "Đơn vị C", 2, 1, 0, 0]
    assert len(by_code) == 7  # QA, QB, QC, QD, QE, QF1, QG: units with a headcount
    total = rows[-1]
    assert total[2] == "Tổng cộng" and total[3:6] == [31, 11, 9]
    assert abs(total[6] - 9 / 31) < 1e-9
    assert sheet["G6"].number_format == "0.0%"
    reached = {row[1]: row[9] for row in rows if row[1]}
    assert isinstance(reached["QA"], datetime) and reached["QC"] is None
    assert sheet.cell(6, 10).number_format == "dd/mm/yyyy hh:mm"
    setup = sheet.page_setup
    assert setup.orientation == "landscape" and int(setup.paperSize) == 9
    assert setup.fitToWidth == 1 and setup.fitToHeight == 0
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and sheet.print_title_rows == "$5:$5"
    assert sheet.oddFooter.left.text == sheet["A4"].value
    only_a = [[c.value for c in row] for row in book["T-QA"].iter_rows(min_row=6)]
    assert [row[1] for row in only_a] == ["QA", None]
    result = runner.invoke(cli, ["report", "targets", "--xlsx", str(xlsx), "--target", "NOPE"])
    assert result.exit_code == 1 and "NOPE" in result.output

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "unit_code,full_name,position,phone\nQA,Nguyễn Văn Mới,Chuyên viên,"
        "0905 123 456\nQA,QA Người 0,Chuyên viên,\nQZ,Ai Đó,,\nQB,,,abc\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["staff", "import", str(roster)])
    assert result.exit_code == 1
    assert "Dòng 5: họ và tên chưa đúng" in result.output
    assert "Dòng 5: số điện thoại" in result.output
    roster.write_text(
        "\ufeffunit_code,full_name,position,phone\nQA,Nguyễn Văn Mới,Chuyên viên,"
        "0905 123 456\nQA,QA Người 0,Chuyên viên,\n",
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["staff", "import", str(roster)])
    assert result.exit_code == 0 and "Đã nhập 2 cán bộ của 1 đơn vị" in result.output
    assert runner.invoke(cli, ["targets", "remove", "T-QA"]).exit_code == 0
    assert runner.invoke(cli, ["targets", "remove", "T-QA"]).exit_code == 1


async def _self_declared(settings: Settings) -> None:
    bot = BotApp.build(settings, clock=FrozenClock(datetime(2026, 6, 1, tzinfo=UTC)))
    try:
        assert (await bot.services.units.import_text(TREE)).ok
        unit = (await bot.services.units.search("QB")).units[0]
        profile = await bot.services.users.touch(channel="telegram", external_id="5550001")
        await bot.services.users.record_consent(profile.id)
        await bot.services.users.register_staff(
            profile.id, unit_id=unit.id, full_name="Hồ Văn Chờ", position="Chuyên viên"
        )
    finally:
        await bot.close()


def test_staff_pending_and_confirm(env: Settings) -> None:
    """An administrator lists who waits for confirmation and confirms one (issue 12, item 6)."""
    asyncio.run(_self_declared(env))
    result = runner.invoke(cli, ["staff", "pending"])
    assert result.exit_code == 0 and "telegram:5550001\tHồ Văn Chờ" in result.output
    assert "Đơn vị B" in runner.invoke(cli, ["staff", "pending", "--unit", "QB"]).output
    assert "Hồ Văn Chờ" not in runner.invoke(cli, ["staff", "pending", "--unit", "QA"]).output
    result = runner.invoke(cli, ["staff", "confirm", "telegram:5550001"])
    assert result.exit_code == 0 and "Đã xác nhận Hồ Văn Chờ" in result.output
    assert "Hồ Văn Chờ" not in runner.invoke(cli, ["staff", "pending"]).output
    assert runner.invoke(cli, ["staff", "confirm", "telegram:404"]).exit_code == 1
