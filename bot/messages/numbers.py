"""Numbers as every message, chart and export shows them, in one Vietnamese format (Babel's
`vi_VN` locale): a decimal comma and a dot between thousands ("1.234,5"), percentages without a
space ("31,8%", "30%"), file sizes in KB or MB ("34 KB", "1,5 MB"). Handlers pass these strings to
the catalog; no message formats a number by itself."""

from __future__ import annotations

import math

from babel.numbers import format_decimal, format_percent

LOCALE = "vi_VN"
KB = 1024
MB = 1024 * 1024


def _floor(value: float, digits: int) -> float:
    scale = 10**digits
    return math.floor(value * scale + 1e-9) / scale


def decimal(value: float, digits: int = 1, *, down: bool = False) -> str:
    """1234.5 → "1.234,5", 30.0 → "30" (at most `digits` decimals, none when whole); `down`
    rounds towards zero instead of to the nearest."""
    if down:
        value = _floor(value, digits)
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "")
    return format_decimal(value, format=pattern, locale=LOCALE)


def percent(rate: float, digits: int = 1, *, down: bool = False) -> str:
    """A share of 1 as a percentage: 0.318 → "31,8%", 0.3 → "30%". With `down`, a value below
    a threshold is never shown as reaching it (0.6996 → "69,9%", not "70%")."""
    if down:
        rate = _floor(rate * 100, digits) / 100
    pattern = "#,##0" + ("." + "#" * digits if digits > 0 else "") + "%"
    return format_percent(rate, format=pattern, locale=LOCALE)


def file_size(size: int) -> str:
    """A file's size: 34_000 → "33 KB", 1_572_864 → "1,5 MB" (never "0.0 MB")."""
    if size < KB:
        return f"{decimal(size, 0)} byte"
    if size < MB:
        return f"{decimal(max(1, round(size / KB)), 0)} KB"
    return f"{decimal(size / MB)} MB"
