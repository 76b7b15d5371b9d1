"""Tables on the terminal: dates and codes never cut or wrapped, long text wraps instead.

At 80 columns rich shrinks every column in proportion, so "17:00 30/06/2026" became "17:00
30/06/20…"; columns declared here as `fixed` keep their full width and only `text` ones wrap.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

DATETIME_WIDTH = len("17:00 30/06/2026")
DATE_WIDTH = len("30/06/2026")


@dataclass(frozen=True, slots=True)
class Column:
    """A table column: `fixed` ones (codes, dates, numbers) never wrap or shrink."""

    header: str
    fixed: bool = False
    min_width: int | None = None
    justify: str = "left"


def fixed(header: str, width: int | None = None, *, right: bool = False) -> Column:
    """A column kept whole (a code, a date, a count)."""
    return Column(header, True, width, "right" if right else "left")


def text(header: str, min_width: int | None = 12) -> Column:
    """A column of free text that wraps."""
    return Column(header, False, min_width)


def table(*columns: Column, title: str | None = None) -> Table:
    """A rich table with these columns: fixed ones as wide as their longest value, text ones
    sharing what is left of the terminal's width (and wrapping in it)."""
    grid = Table(title=title, title_justify="left", expand=True)
    for column in columns:
        grid.add_column(
            column.header,
            no_wrap=column.fixed,
            min_width=column.min_width if column.fixed else None,
            ratio=None if column.fixed else (column.min_width or 12),
            justify=column.justify,  # type: ignore[arg-type]
            overflow="fold",
        )
    return grid


def console() -> Console:
    """The standard output as a rich console."""
    return Console()
