"""Reading the command line's rich tables back in tests."""

from __future__ import annotations


def table_rows(output: str) -> list[list[str]]:
    """The cells of every body row of the tables in `output` (rows drawn with "│")."""
    rows = []
    for line in output.splitlines():
        if line.startswith("│") and line.rstrip().endswith("│"):
            rows.append([cell.strip() for cell in line.strip().strip("│").split("│")])
    return rows
