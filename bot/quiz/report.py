"""The targets report as an Excel workbook: one sheet per target, Vietnamese headers, the moment
the figures are as of, print set-up (A4 landscape, one page wide, header row repeated)."""

from __future__ import annotations

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from bot.core.clock import fmt_date, fmt_datetime
from bot.messages import Catalog
from bot.quiz.views import Leaderboard
from bot.services.sheets import PERCENT_FORMAT, fit_row_heights, print_setup, put_datetime

COLUMNS = (
    "rank",
    "code",
    "unit",
    "headcount",
    "registered",
    "passed",
    "rate",
    "score",
    "met",
    "reached",
)
"""The sheet's columns; their headers are `quiz.report.col_<name>` in the catalog."""
WIDTHS = (7, 16, 48, 11, 12, 10, 11, 12, 11, 17)
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


def targets_workbook(
    boards: list[Leaderboard],
    set_titles: dict[str, str],
    t: Catalog,
    *,
    now: datetime,
    tz: ZoneInfo,
) -> bytes:
    """The workbook as bytes (XLSX), one sheet per leaderboard, with a totals row; the figures
    as of `now`."""
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    taken: set[str] = set()
    as_of = t("sheets.as_of", time=fmt_datetime(now, tz))
    for board in boards:
        _sheet(book, board, set_titles, sheet_name(board.target.code, taken), t, as_of, tz)
    book.properties.description = as_of
    if not boards:
        book.create_sheet(t("quiz.report.empty_sheet"))["A1"] = t("quiz.report.empty")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(
    book: Workbook,
    board: Leaderboard,
    set_titles: dict[str, str],
    name: str,
    t: Catalog,
    as_of: str,
    tz: ZoneInfo,
) -> None:
    target = board.target
    sheet = book.create_sheet(name)
    sheet["A1"] = target.title
    sheet["A1"].font = Font(bold=True, size=13)
    sets = ", ".join(set_titles.get(slug, slug) for slug in target.set_slugs)
    sheet["A2"] = t(
        "quiz.report.period",
        prefix=f"{target.period}. " if target.period else "",
        starts=fmt_date(target.starts_on),
        due=fmt_date(target.due_on),
        required=f"{target.required_rate:.0%}",
        sets=sets,
    )
    sheet["A3"] = t("quiz.report.scope", name=board.parent_name)
    sheet["A4"] = as_of
    sheet["A4"].font = Font(italic=True)
    for column, (name, width) in enumerate(zip(COLUMNS, WIDTHS, strict=True), 1):
        cell = sheet.cell(HEADER_ROW, column, t(f"quiz.report.col_{name}"))
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
            t("quiz.report.met" if row.rate >= target.required_rate else "quiz.report.not_met"),
        )
        for column, value in enumerate(values, 1):
            sheet.cell(row_number, column, value)
        sheet.cell(row_number, 3).alignment = Alignment(wrap_text=True, vertical="top")
        sheet.cell(row_number, 7).number_format = PERCENT_FORMAT
        sheet.cell(row_number, 8).number_format = PERCENT_FORMAT
        put_datetime(sheet.cell(row_number, 10), row.reached_at, tz)
    headcount, registered, passed = board.totals
    total_row = row_number + 1
    totals = (
        "",
        "",
        t("quiz.report.total"),
        headcount,
        registered,
        passed,
        min(1.0, passed / headcount) if headcount else 0.0,
    )
    for column, value in enumerate(totals, 1):
        cell = sheet.cell(total_row, column, value)
        cell.font = Font(bold=True)
    sheet.cell(total_row, 7).number_format = PERCENT_FORMAT
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    last_column = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last_column}{max(row_number, HEADER_ROW)}"
    fit_row_heights(sheet, HEADER_ROW, WIDTHS)
    print_setup(
        sheet, header_row=HEADER_ROW, title=target.title, as_of=as_of, pages=t("sheets.pages")
    )
