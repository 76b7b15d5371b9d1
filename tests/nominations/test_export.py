"""The council's XLSX export, from the command line and from chat, and round administration."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings
from bot.core.replies import Document
from bot.nominations.details import actor_label
from bot.nominations.types import Decision, Status
from tests.helpers.chat import Chat
from tests.helpers.tables import table_rows
from tests.nominations.conftest import register_citizen
from tests.nominations.forms import ACHIEVEMENTS, nominate_person

runner = CliRunner()
FORMULA = '=HYPERLINK("http://x","bấm") & <b>đậm</b> 😀'


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    return settings


async def _two_nominees_one_supporter(bot: BotApp, staff: Chat) -> None:
    await nominate_person(staff)
    await nominate_person(
        staff,
        name="Vũ Thị Ngọc",
        unit="Sở Tư pháp",
        achievements=(FORMULA + " — hướng dẫn người dân nộp hồ sơ trực tuyến suốt hai năm liền."),
    )
    supporter = await register_citizen(bot, "c-1")
    await nominate_person(
        supporter,
        name="le van minh",
        achievements="Tôi được anh Minh hướng dẫn tận tình khi làm thủ tục.",
    )
    reviewer = await bot.services.users.find(channel="test", external_id="u1")
    detail = await bot.services.nominations.review.by_code("DC-2026-0002")
    assert reviewer is not None and detail is not None
    await bot.services.nominations.review.decide(
        detail.id,
        decision=Decision.REJECT,
        reason="Chưa đủ một năm.",
        reviewer_id=reviewer.id,
        reviewer_label=actor_label(reviewer),
        expected=Status.PENDING,
    )


@pytest.mark.usefixtures("open_round")
async def test_the_export_has_one_row_per_nominee(bot: BotApp, staff: Chat) -> None:
    await _two_nominees_one_supporter(bot, staff)
    exported = await bot.services.nominations.export_xlsx("dot1-2026")
    assert exported is not None
    book = load_workbook(io.BytesIO(exported[1]))
    assert book.sheetnames == ["Đề cử", "Phiếu đề cử (để in)", "Người ủng hộ", "Lịch sử xét duyệt"]
    sheet = book["Đề cử"]
    assert sheet["A1"].value.startswith("Đề cử khen thưởng — ")
    assert sheet["A2"].value == "Số liệu tính đến 09:00 01/06/2026 (giờ Việt Nam). Số đề cử: 2."
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=3)]
    header = rows[0]
    assert header[:4] == ["Mã đề cử", "Loại đề cử", "Cá nhân / tập thể / sáng kiến", "Đơn vị"]
    assert "Số người ủng hộ" in header and "Lịch sử quyết định" in header
    column = {name: index for index, name in enumerate(header)}
    assert len(rows) == 3
    first, second = rows[1], rows[2]
    assert first[column["Mã đề cử"]] == "DC-2026-0001"
    assert first[column["Cá nhân / tập thể / sáng kiến"]] == "Lê Văn Minh"
    assert first[column["Thành tích / nội dung sáng kiến"]] == ACHIEVEMENTS
    assert first[column["Số người ủng hộ"]] == 1
    assert "Tôi được anh Minh hướng dẫn tận tình" in first[column["Người ủng hộ và lý do"]]
    assert first[column["Trạng thái"]] == "Chờ xét duyệt"
    assert "Võ Thị Thanh Xuân" in first[column["Người đề cử"]]
    assert second[column["Trạng thái"]] == "Không được duyệt"
    history_cell = second[column["Lịch sử quyết định"]]
    assert "Không duyệt (Võ Thị Thanh Xuân): Chưa đủ một năm." in history_cell
    assert second[column["Thành tích / nội dung sáng kiến"]].startswith(FORMULA)
    achievements = column["Thành tích / nội dung sáng kiến"] + 1
    assert sheet.cell(row=5, column=achievements).data_type == "s"
    supporters = [[c.value for c in row] for row in book["Người ủng hộ"].iter_rows(min_row=4)]
    assert supporters[0][:2] == ["DC-2026-0001", "le van minh"]
    history = [[c.value for c in row] for row in book["Lịch sử xét duyệt"].iter_rows(min_row=4)]
    assert [row[2] for row in history] == [
        "Gửi đề cử",
        "Ủng hộ (đề cử trùng)",
        "Gửi đề cử",
        "Không duyệt",
    ]


@pytest.mark.usefixtures("open_round")
async def test_the_export_holds_real_date_times_and_prints_one_page_wide(
    bot: BotApp, staff: Chat
) -> None:
    """Date-times are local date-times (they sort by moment, not by the text "09:00 …"), shown
    dd/mm/yyyy hh:mm; every sheet prints A4, one page wide, its header row repeated, rows tall
    enough for their text; the cards put each nomination on a page of its own."""
    await _two_nominees_one_supporter(bot, staff)
    exported = await bot.services.nominations.export_xlsx("dot1-2026")
    assert exported is not None
    book = load_workbook(io.BytesIO(exported[1]))
    sheet = book["Đề cử"]
    header = [cell.value for cell in sheet[3]]
    submitted = sheet.cell(4, header.index("Thời điểm gửi") + 1)
    assert submitted.value == datetime(2026, 6, 1, 9, 0)  # the test clock, in Đắk Lắk
    assert submitted.is_date and submitted.number_format == "dd/mm/yyyy hh:mm"
    for name, at_column in (("Người ủng hộ", 8), ("Lịch sử xét duyệt", 2)):
        cell = book[name].cell(4, at_column)
        assert isinstance(cell.value, datetime) and cell.number_format == "dd/mm/yyyy hh:mm"
    for each in book.worksheets:
        setup = each.page_setup
        assert int(setup.paperSize) == 9 and setup.fitToWidth == 1
        assert setup.fitToHeight == 0 and each.sheet_properties.pageSetUpPr.fitToPage
        assert "Số liệu tính đến 09:00 01/06/2026" in each.oddFooter.left.text
        assert each.oddFooter.right.text == "Trang &P/&N"
        landscape = each.title != "Phiếu đề cử (để in)"
        assert setup.orientation == ("landscape" if landscape else "portrait")
        if landscape:
            assert each.print_title_rows == "$3:$3"
    achievements = sheet.cell(4, header.index("Thành tích / nội dung sáng kiến") + 1)
    width = sheet.column_dimensions[achievements.column_letter].width
    assert 40 <= width <= 60 and achievements.alignment.wrap_text
    assert sheet.row_dimensions[4].height >= 15 * (len(ACHIEVEMENTS) // (width * 1.2) + 1)
    cards = book["Phiếu đề cử (để in)"]
    assert [brk.id for brk in cards.row_breaks.brk] and len(cards.row_breaks.brk) == 1
    labels = [cards.cell(row, 1).value for row in range(1, cards.max_row + 1)]
    assert "DC-2026-0001 — Lê Văn Minh" in labels and "DC-2026-0002 — Vũ Thị Ngọc" in labels
    assert "Người ủng hộ (1)" in labels and "Thời điểm gửi" in labels


@pytest.mark.usefixtures("open_round")
async def test_the_council_exports_from_chat(bot: BotApp, staff: Chat, council: Chat) -> None:
    await nominate_person(staff)
    turn = await council.say("/xuatdecu")
    document = turn.replies[0]
    assert isinstance(document, Document) and document.file_name == "de-cu-dot1-2026.xlsx"
    rows = list(load_workbook(io.BytesIO(document.data))["Đề cử"].iter_rows(values_only=True))
    assert [row[0] for row in rows[2:]] == ["Mã đề cử", "DC-2026-0001"]
    turn = await council.say("/xuatdecu khong-co")
    assert 'Không có đợt đề cử mã "khong-co"' in turn.text


def test_rounds_and_export_from_the_command_line(env: Settings, tmp_path: Path) -> None:
    result = runner.invoke(cli, ["nominations", "round", "list"])
    assert result.exit_code == 0 and "Chưa có đợt đề cử nào" in result.output

    def open_round(name: str, *options: str):  # type: ignore[no-untyped-def]
        return runner.invoke(cli, ["nominations", "round", "open", "--name", name, *options])

    result = open_round(
        "Đợt 1 năm 2099",
        *("--opens", "01/01/2099", "--closes", "31/01/2099", "--categories", "ca-nhan, sang-kien"),
    )
    assert result.exit_code == 0, result.output
    assert "dot-1-nam-2099" in result.output and "01/01/2099" in result.output
    result = open_round("Trùng", "--opens", "15/01/2099", "--closes", "20/02/2099")
    assert result.exit_code == 1 and "trùng với đợt" in result.output
    result = open_round("Sai", "--closes", "31/13/2099")
    assert result.exit_code == 1 and "dd/mm/yyyy" in result.output
    result = open_round("Sai loại", "--closes", "31/12/2099", "--categories", "ca-nhan,khac")
    assert result.exit_code == 1 and 'Loại đề cử "khac" không có' in result.output
    result = runner.invoke(cli, ["nominations", "round", "list"], env={"COLUMNS": "200"})
    [row] = table_rows(result.output)
    assert row[0] == "dot-1-nam-2099" and row[2] == "Cá nhân tiêu biểu, Sáng kiến chuyển đổi số"
    assert row[3:] == ["01/01/2099", "31/01/2099", "sắp mở", "0"]
    target = tmp_path / "out" / "de-cu.xlsx"
    result = runner.invoke(
        cli, ["nominations", "export", "--round", "dot-1-nam-2099", "--xlsx", str(target)]
    )
    assert result.exit_code == 0, result.output
    assert load_workbook(target)["Đề cử"].max_row == 3  # title, as-of line, header
    result = runner.invoke(
        cli, ["nominations", "export", "--round", "khong", "--xlsx", str(target)]
    )
    assert result.exit_code == 1 and 'Không có đợt mã "khong"' in result.output
    result = runner.invoke(cli, ["nominations", "round", "close", "dot-1-nam-2099"])
    assert result.exit_code == 0 and "Đã đóng đợt" in result.output
    result = runner.invoke(cli, ["nominations", "round", "list"])
    assert "đã đóng" in result.output
