"""CSV files as spreadsheets save them: UTF-8 with or without BOM (Excel's "CSV UTF-8"), UTF-16
("Unicode Text"), separated by commas, semicolons (Excel on Vietnamese Windows, where the comma
is the decimal mark) or tabs — the separator is read from the header line."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

from bot.core.errors import UserError

SEPARATORS = ",;\t"


class CsvUnreadable(UserError):
    """A file whose text encoding is not one the bot reads."""


def decode(raw: bytes, *, name: str = "Tệp") -> str:
    """The text of a CSV file: UTF-16 when it starts with a UTF-16 BOM, else UTF-8 (BOM or not).
    Windows-1258 files are refused with how to save them again, rather than guessed."""
    try:
        if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return raw.decode("utf-16")
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvUnreadable(
            f"{name} không phải văn bản UTF-8 (có thể được lưu bằng bảng mã Windows-1258). "
            "Hãy lưu lại: trong Excel chọn Lưu thành → 'CSV UTF-8 (Comma delimited)'."
        ) from None


def read_file(path: Path) -> str:
    """The text of a CSV file on disk (see `decode`)."""
    return decode(path.read_bytes(), name=f"Tệp {path}")


def separator(content: str) -> str:
    """The separator of a CSV text, read from its header line (comma when it cannot tell)."""
    header = content.lstrip("\ufeff").split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(header, delimiters=SEPARATORS).delimiter
    except csv.Error:
        counts = {mark: header.count(mark) for mark in SEPARATORS}
        best = max(counts, key=lambda mark: counts[mark])
        return best if counts[best] else ","


def dict_rows(content: str) -> csv.DictReader[str]:
    """A DictReader over CSV text with its own separator."""
    return csv.DictReader(io.StringIO(content.lstrip("\ufeff")), delimiter=separator(content))
