"""The targets report as an Excel workbook: one sheet per target, Vietnamese headers."""

from __future__ import annotations

import io
import re

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.core.clock import fmt_date
from bot.quiz.views import Leaderboard

HEADERS = (
    "Hạng",
    "Mã đơn vị",
    "Đơn vị",
    "Biên chế",
    "Đã đăng ký",
    "Đã đạt",
    "Tỷ lệ đạt",
    "Điểm trung bình",
    "Đạt chỉ tiêu",
)
WIDTHS = (7, 16, 48, 11, 12, 10, 11, 16, 13)
HEADER_ROW = 5
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def sheet_name(code: str, taken: set[str]) -> str:
    """An Excel-safe, unique sheet name (≤ 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("-", code)[:31] or "Chi tieu"
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def targets_workbook(boards: list[Leaderboard], set_titles: dict[str, str]) -> bytes:
    """The workbook as bytes (XLSX), one sheet per leaderboard, with a totals row."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    for board in boards:
        _sheet(book, board, set_titles, sheet_name(board.target.code, taken))
    if not boards:
        book.create_sheet("Chưa có chỉ tiêu")["A1"] = "Chưa có chỉ tiêu nào."
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(book: Workbook, board: Leaderboard, set_titles: dict[str, str], name: str) -> None:
    target = board.target
    sheet = book.create_sheet(name)
    sheet["A1"] = target.title
    sheet["A1"].font = Font(bold=True, size=13)
    sets = ", ".join(set_titles.get(slug, slug) for slug in target.set_slugs)
    sheet["A2"] = (
        f"{target.period + '. ' if target.period else ''}Từ {fmt_date(target.starts_on)}"
        f" đến {fmt_date(target.due_on)}; chỉ tiêu {target.required_rate:.0%} biên chế"
        f" đạt các bộ: {sets}."
    )
    sheet["A3"] = f"Phạm vi: {board.parent_name}."
    for column, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), 1):
        cell = sheet.cell(HEADER_ROW, column, header)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        sheet.column_dimensions[get_column_letter(column)].width = width
    row_number = HEADER_ROW
    for row in board.rows:
        row_number += 1
        values = (
            row.rank,
            row.code,
            row.name,
            row.headcount,
            row.registered,
            row.passed,
            row.rate,
            row.avg_score,
            "Đạt" if row.rate >= target.required_rate else "Chưa",
        )
        for column, value in enumerate(values, 1):
            sheet.cell(row_number, column, value)
        sheet.cell(row_number, 7).number_format = "0.0%"
        sheet.cell(row_number, 8).number_format = "0.0%"
    headcount, registered, passed = board.totals
    total_row = row_number + 1
    totals = (
        "",
        "",
        "Tổng cộng",
        headcount,
        registered,
        passed,
        min(1.0, passed / headcount) if headcount else 0.0,
    )
    for column, value in enumerate(totals, 1):
        cell = sheet.cell(total_row, column, value)
        cell.font = Font(bold=True)
    sheet.cell(total_row, 7).number_format = "0.0%"
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    last_column = get_column_letter(len(HEADERS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{max(row_number, HEADER_ROW)}"
