"""Content bodies are light Markdown; chat replies are plain text. This turns one into the other."""

from __future__ import annotations

import re

_HEADING = re.compile(r"^#{1,6}\s+", re.MULTILINE)
_BOLD = re.compile(r"\*\*(.+?)\*\*|__(.+?)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
_BULLET = re.compile(r"^(\s*)[-*]\s+", re.MULTILINE)


def to_plain(markdown: str) -> str:
    """Plain chat text: no heading marks or emphasis, bullets as '•', links as 'text (url)'."""
    text = _HEADING.sub("", markdown)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    text = _BOLD.sub(lambda m: m.group(1) or m.group(2), text)
    text = _ITALIC.sub(lambda m: m.group(1), text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
