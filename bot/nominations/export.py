"""The council's spreadsheet: a table of nominees (for sorting and filtering), the same as
printable cards (one nomination per page, A4 portrait), and sheets of supporters and history.

Every sheet says when its figures are as of; date-times are real local date-times; each sheet
prints one page wide with its header row repeated, rows as tall as their text.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from bot.core.clock import fmt_datetime
from bot.messages import Catalog, load_catalog
from bot.nominations.texts import (
    action_label,
    attachment_line,
    category_label,
    contact_line,
    history_line,
    status_label,
    supporter_line,
)
from bot.nominations.types import NominationDetail, RoundView
from bot.services.sheets import (
    WRAP_TOP,
    chunks,
    fit_row_heights,
    print_setup,
    put_datetime,
    set_widths,
)

HEADER_ROW = 3  # under the title and the as-of line
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
NOMINEE_COLUMNS = (
    ("code", 13),
    ("category", 14),
    ("name", 22),
    ("unit", 24),
    ("position", 16),
    ("achievements", 50),
    ("results", 30),
    ("files", 28),
    ("evidence_note", 28),
    ("nominator", 28),
    ("submitted", 16),
    ("supporter_count", 10),
    ("supporters", 45),
    ("status", 14),
    ("history", 40),
)
SUPPORTER_COLUMNS = (
    ("code", 13),
    ("name_as_typed", 24),
    ("supporter", 30),
    ("reason", 50),
    ("results", 30),
    ("files", 28),
    ("evidence_note", 28),
    ("submitted", 16),
)
HISTORY_COLUMNS = (("code", 13), ("at", 16), ("action", 22), ("actor", 30), ("note", 60))
CARD_WIDTHS = (24, 68)  # label, value: A4 portrait at full size
CARD_MAX_LINES = 24  # a longer text continues on the next row (a row cannot span pages)


def _text(value: Any) -> Any:
    """Text without the characters XLSX cannot hold (the caller keeps it a text cell)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _write(sheet: Worksheet, row: int, values: Sequence[Any], tz: ZoneInfo) -> None:
    for column, value in enumerate(values, 1):
        cell = sheet.cell(row=row, column=column)
        if isinstance(value, datetime):
            put_datetime(cell, value, tz)
        else:
            cell.value = _text(value)
            if isinstance(value, str):
                cell.data_type = "s"
        cell.alignment = WRAP_TOP


def _table(
    book: Workbook,
    name: str,
    columns: Sequence[tuple[str, int]],
    t: Catalog,
    heading: tuple[str, str],
) -> Worksheet:
    """A sheet with the title, the as-of line and a header row."""
    sheet = book.create_sheet(name)
    title, as_of = heading
    sheet["A1"] = title
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = as_of
    for column, (key, _) in enumerate(columns, 1):
        cell = sheet.cell(HEADER_ROW, column, t(f"nominate.export.col_{key}"))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    set_widths(sheet, [width for _, width in columns])
    sheet.freeze_panes = sheet.cell(HEADER_ROW + 1, 1)
    return sheet


def _finish(
    sheet: Worksheet, columns: Sequence[tuple[str, int]], t: Catalog, heading: tuple[str, str]
) -> None:
    widths = [width for _, width in columns]
    fit_row_heights(sheet, HEADER_ROW, widths)
    last = sheet.cell(max(sheet.max_row, HEADER_ROW), len(columns)).coordinate
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}"
    print_setup(
        sheet, header_row=HEADER_ROW, title=heading[0], as_of=heading[1], pages=t("sheets.pages")
    )


def _nominee_row(t: Catalog, item: NominationDetail, tz: ZoneInfo) -> list[Any]:
    return [
        item.code,
        category_label(t, item.category),
        item.nominee_name,
        item.unit_name,
        item.position or "",
        item.achievements,
        item.results or "",
        "\n".join(attachment_line(t, a) for a in item.attachments),
        item.evidence_note or "",
        contact_line(t, item.contact),
        item.submitted_at,
        len(item.supporters),
        "\n\n".join(supporter_line(t, i, s, tz) for i, s in enumerate(item.supporters, 1)),
        status_label(t, item.status),
        "\n".join(history_line(t, h, tz) for h in item.history),
    ]


def workbook_bytes(
    round_: RoundView,
    details: Sequence[NominationDetail],
    tz: ZoneInfo,
    *,
    now: datetime,
) -> bytes:
    """The XLSX file of a round's nominations, with Vietnamese headers, as of `now`."""
    t = load_catalog()
    book = Workbook()
    book.remove(book.active)
    as_of = t("sheets.as_of", time=fmt_datetime(now, tz))
    title = t("nominate.export.title", round=round_.name)
    heading = (title, t("nominate.export.as_of", as_of=as_of, count=len(details)))

    main = _table(book, t("nominate.export.sheet_nominees"), NOMINEE_COLUMNS, t, heading)
    for row, item in enumerate(details, HEADER_ROW + 1):
        _write(main, row, _nominee_row(t, item, tz), tz)
    _finish(main, NOMINEE_COLUMNS, t, heading)

    _cards(book.create_sheet(t("nominate.export.sheet_cards")), details, t, tz, heading)

    supporters = _table(
        book, t("nominate.export.sheet_supporters"), SUPPORTER_COLUMNS, t, (title, as_of)
    )
    history = _table(book, t("nominate.export.sheet_history"), HISTORY_COLUMNS, t, (title, as_of))
    support_row = history_row = HEADER_ROW + 1
    for item in details:
        for supporter in item.supporters:
            _write(
                supporters,
                support_row,
                [
                    item.code,
                    supporter.nominee_name,
                    contact_line(t, supporter.contact),
                    supporter.reason,
                    supporter.results or "",
                    "\n".join(attachment_line(t, a) for a in supporter.attachments),
                    supporter.evidence_note or "",
                    supporter.at,
                ],
                tz,
            )
            support_row += 1
        for entry in item.history:
            _write(
                history,
                history_row,
                [
                    item.code,
                    entry.at,
                    action_label(t, entry.action),
                    entry.actor or t("nominate.contact.erased"),
                    entry.note or "",
                ],
                tz,
            )
            history_row += 1
    _finish(supporters, SUPPORTER_COLUMNS, t, (title, as_of))
    _finish(history, HISTORY_COLUMNS, t, (title, as_of))
    book.properties.title = title
    book.properties.description = as_of
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cards(
    sheet: Worksheet,
    details: Sequence[NominationDetail],
    t: Catalog,
    tz: ZoneInfo,
    heading: tuple[str, str],
) -> None:
    """One block of label/value rows per nomination, each starting on a new page."""
    set_widths(sheet, CARD_WIDTHS)
    sheet["A1"] = heading[0]
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = heading[1]
    row = HEADER_ROW
    for index, item in enumerate(details):
        if index:
            sheet.row_breaks.append(Break(id=row - 1))
        title = sheet.cell(row, 1, _text(f"{item.code} — {item.nominee_name}"))
        title.font = Font(bold=True, size=12)
        title.fill = _HEADER_FILL
        sheet.cell(row, 2).fill = _HEADER_FILL
        row += 1
        for label, value in _card_fields(t, item, tz):
            pieces = (
                [value]
                if not isinstance(value, str)
                else chunks(value, CARD_WIDTHS[1], CARD_MAX_LINES)
            )
            for number, piece in enumerate(pieces):
                label_cell = sheet.cell(row, 1, label if number == 0 else "")
                label_cell.font = Font(bold=True)
                label_cell.alignment = WRAP_TOP
                _write_value(sheet.cell(row, 2), piece, tz)
                row += 1
        row += 1  # a blank row between cards on screen
    fit_row_heights(sheet, HEADER_ROW, CARD_WIDTHS)
    print_setup(
        sheet,
        header_row=0,
        title=heading[0],
        as_of=heading[1],
        pages=t("sheets.pages"),
        landscape=False,
    )


def _write_value(cell: Any, value: Any, tz: ZoneInfo) -> None:
    if isinstance(value, datetime):
        put_datetime(cell, value, tz)
        cell.alignment = Alignment(horizontal="left", vertical="top")
        return
    cell.value = _text(value)
    if isinstance(value, str):
        cell.data_type = "s"
    cell.alignment = WRAP_TOP


def _card_fields(t: Catalog, item: NominationDetail, tz: ZoneInfo) -> list[tuple[str, Any]]:
    values = dict(zip((key for key, _ in NOMINEE_COLUMNS), _nominee_row(t, item, tz), strict=True))
    shown = [
        "category",
        "unit",
        "position",
        "achievements",
        "results",
        "files",
        "evidence_note",
        "nominator",
        "submitted",
        "status",
        "supporters",
        "history",
    ]
    fields = []
    for key in shown:
        value = values[key]
        if value in ("", None):
            continue
        label = t(f"nominate.export.col_{key}")
        if key == "supporters":
            label = t("nominate.export.card_supporters", count=values["supporter_count"])
        fields.append((label, value))
    return fields
