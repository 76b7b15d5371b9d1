"""What every spreadsheet the bot exports shares: dates as real local date-times with a
Vietnamese format (so that they sort by time, not by their text), the moment the figures are as
of, print set-up (landscape, one page wide, the header row repeated) and rows tall enough for
their wrapped text."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.clock import as_utc

DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
DATE_FORMAT = "dd/mm/yyyy"
PERCENT_FORMAT = "0.0%"  # shown with the reader's decimal mark: "69,8%" in Vietnamese Excel
LINE_POINTS = 15.0  # one line of 11-point text
MAX_ROW_POINTS = 409.0  # Excel's tallest row
CHARS_PER_WIDTH = 1.2  # characters of Vietnamese text per unit of column width (a "0")
WRAP_TOP = Alignment(wrap_text=True, vertical="top")


def local_time(moment: datetime, tz: ZoneInfo) -> datetime:
    """A moment as the naive local date-time a spreadsheet cell holds (Excel has no zones)."""
    return as_utc(moment).astimezone(tz).replace(tzinfo=None, microsecond=0)


def put_datetime(cell: Cell, moment: datetime | None, tz: ZoneInfo) -> None:
    """Store a moment as a local date-time shown dd/mm/yyyy hh:mm (empty when None)."""
    cell.value = local_time(moment, tz) if moment is not None else None
    cell.number_format = DATETIME_FORMAT


def set_widths(sheet: Worksheet, widths: Sequence[float]) -> None:
    """Column widths, in Excel's units (the width of a "0")."""
    for column, width in enumerate(widths, 1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def print_setup(
    sheet: Worksheet,
    *,
    header_row: int,
    title: str,
    as_of: str,
    pages: str,
    landscape: bool = True,
) -> None:
    """A4, landscape, one page wide (as many pages tall as needed), the header row on every
    page; the title in the page header, the as-of line and `pages` (with Excel's &P and &N
    codes: "Trang &P/&N") in the footer."""
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = (
        sheet.ORIENTATION_LANDSCAPE if landscape else sheet.ORIENTATION_PORTRAIT
    )
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3)
    sheet.print_options.horizontalCentered = True
    sheet.oddHeader.center.text = title.replace("&", "&&")
    sheet.oddFooter.left.text = as_of.replace("&", "&&")
    sheet.oddFooter.right.text = pages


def fit_row_heights(sheet: Worksheet, first_row: int, widths: Sequence[float]) -> None:
    """Set each row's height from its longest wrapped cell, so that printing and viewing show all
    of it (LibreOffice and Excel do not grow rows written by openpyxl reliably)."""
    for row in sheet.iter_rows(min_row=first_row):
        lines = 1
        for cell, width in zip(row, widths, strict=False):
            if isinstance(cell.value, str) and cell.value:
                lines = max(lines, text_lines(cell.value, width))
        sheet.row_dimensions[row[0].row].height = min(MAX_ROW_POINTS, lines * LINE_POINTS + 3)


def text_lines(text: str, width: float) -> int:
    """How many lines `text` wraps to in a column `width` wide (an estimate on the safe side)."""
    per_line = max(1, int(width * CHARS_PER_WIDTH) - 1)
    return sum(max(1, math.ceil(len(paragraph) / per_line)) for paragraph in text.split("\n"))


def chunks(text: str, width: float, max_lines: int) -> list[str]:
    """`text` cut (between paragraphs, else between words) into pieces of at most `max_lines`
    wrapped lines each, for rows that must print whole (a row cannot exceed a page)."""
    pieces: list[str] = []
    current: list[str] = []
    for paragraph in text.split("\n"):
        for part in _split_long(paragraph, width, max_lines):
            candidate = "\n".join([*current, part])
            if current and text_lines(candidate, width) > max_lines:
                pieces.append("\n".join(current))
                current = [part]
            else:
                current.append(part)
    pieces.append("\n".join(current))
    return pieces


def _split_long(paragraph: str, width: float, max_lines: int) -> list[str]:
    """A paragraph longer than `max_lines` lines, cut between words."""
    if text_lines(paragraph, width) <= max_lines:
        return [paragraph]
    parts, words = [], paragraph.split(" ")
    line: list[str] = []
    for word in words:
        if line and text_lines(" ".join([*line, word]), width) > max_lines:
            parts.append(" ".join(line))
            line = []
        line.append(word)
    parts.append(" ".join(line))
    return parts
