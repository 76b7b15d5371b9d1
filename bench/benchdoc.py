"""Writing a benchmark's own section of docs/BENCHMARKS.md (between its start/end markers)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs/BENCHMARKS.md"


def replace_section(section: str, start: str, end: str, doc: Path = DOC) -> None:
    """Put `section` (which begins with `start` and ends with `end`) in place of the text
    between those markers, or append it when the document has no such section yet."""
    text = doc.read_text(encoding="utf-8")
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + section + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + section + "\n"
    doc.write_text(text, encoding="utf-8")
