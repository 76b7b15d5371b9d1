"""The council's spreadsheet: one row per nominee, plus sheets of supporters and history."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
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

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WIDE = 60


def _write(sheet: Worksheet, row: int, values: Sequence[Any]) -> None:
    """Write a row; text is always text (a leading "=" never becomes a formula)."""
    for column, value in enumerate(values, 1):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _sheet(book: Workbook, title: str, headers: list[str], widths: list[int]) -> Worksheet:
    sheet = book.create_sheet(title)
    _write(sheet, 1, headers)
    for column, width in enumerate(widths, 1):
        sheet.cell(row=1, column=column).font = Font(bold=True)
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = width
    sheet.freeze_panes = "A2"
    return sheet


def _nominee_row(t: Catalog, item: NominationDetail, tz: ZoneInfo) -> list[Any]:
    return [
        item.code,
        item.round_name,
        category_label(t, item.category),
        item.nominee_name,
        item.unit_name,
        item.position or "",
        item.achievements,
        item.results or "",
        "\n".join(attachment_line(t, a) for a in item.attachments),
        item.evidence_note or "",
        contact_line(t, item.contact),
        fmt_datetime(item.submitted_at, tz),
        len(item.supporters),
        "\n\n".join(supporter_line(t, i, s, tz) for i, s in enumerate(item.supporters, 1)),
        status_label(t, item.status),
        "\n".join(history_line(t, h, tz) for h in item.history),
    ]


def workbook_bytes(round_: RoundView, details: Sequence[NominationDetail], tz: ZoneInfo) -> bytes:
    """The XLSX file of a round's nominations, with Vietnamese headers."""
    t = load_catalog()
    book = Workbook()
    book.remove(book.active)
    main = _sheet(
        book,
        t("nominate.export.sheet_nominees"),
        [
            t(f"nominate.export.col_{name}")
            for name in (
                "code",
                "round",
                "category",
                "name",
                "unit",
                "position",
                "achievements",
                "results",
                "files",
                "evidence_note",
                "nominator",
                "submitted",
                "supporter_count",
                "supporters",
                "status",
                "history",
            )
        ],
        [14, 20, 18, 30, 30, 20, _WIDE, 30, 30, 30, 35, 17, 10, _WIDE, 16, _WIDE],
    )
    for index, item in enumerate(details, 2):
        _write(main, index, _nominee_row(t, item, tz))
    main.auto_filter.ref = main.dimensions
    supporters = _sheet(
        book,
        t("nominate.export.sheet_supporters"),
        [
            t(f"nominate.export.col_{name}")
            for name in (
                "code",
                "name_as_typed",
                "supporter",
                "reason",
                "results",
                "files",
                "evidence_note",
                "submitted",
            )
        ],
        [14, 30, 35, _WIDE, 30, 30, 30, 17],
    )
    history = _sheet(
        book,
        t("nominate.export.sheet_history"),
        [t(f"nominate.export.col_{name}") for name in ("code", "at", "action", "actor", "note")],
        [14, 17, 22, 30, _WIDE],
    )
    support_row = history_row = 2
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
                    fmt_datetime(supporter.at, tz),
                ],
            )
            support_row += 1
        for entry in item.history:
            _write(
                history,
                history_row,
                [
                    item.code,
                    fmt_datetime(entry.at, tz),
                    action_label(t, entry.action),
                    entry.actor or t("nominate.contact.erased"),
                    entry.note or "",
                ],
            )
            history_row += 1
    book.properties.title = t("nominate.export.title", round=round_.name)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
