"""Numbers written the Vietnamese way: "69,8%", "1.234,5" (comma for decimals, dot for
thousands), the one format of charts, spreadsheets' captions and the command line."""

from __future__ import annotations

import math


def decimal(value: float, digits: int = 0, *, down: bool = False) -> str:
    """ "1.234,5" for decimal(1234.5, 1); `down` rounds towards zero instead of to nearest."""
    scale = 10**digits
    if down:
        value = math.floor(value * scale + 1e-9) / scale
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def percent(value: float, digits: int = 1, *, down: bool = False) -> str:
    """A fraction as a percentage: percent(0.698) → "69,8%". With `down`, a value below a
    threshold is never shown as reaching it (0.6996 → "69,9%", not "70,0%")."""
    return decimal(value * 100, digits, down=down) + "%"
