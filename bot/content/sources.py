"""Sources of facts: the `{title, url, number?, issued?, checked}` schema and its rules.

A source must let a reader find the exact document or article a fact comes from, so a bare home
page is refused, and so is a source nobody has checked. Topics, tips and quiz banks share these
rules (docs/CONTENT_FORMAT.md, "Nguồn").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.content.model import Source
from bot.content.yaml_lines import LineDict, LineList

Report = Callable[[int, str], None]
"""Where a problem goes: (line, message in Vietnamese)."""

SOURCE_KEYS = {"title", "url", "number", "issued", "checked"}
MAX_TITLE = 300
MAX_URL = 500
MAX_NUMBER = 60

# Path segments that say nothing about which page it is: language codes, portal containers and
# index documents. A URL whose path holds nothing else is a site's front page.
_LANGUAGE = re.compile(r"^(?:vi|vn|en|fr|zh|ja|ko|vi-vn|en-us|en-gb|vie|eng)$")
_CONTAINERS = {"pages", "portal", "web", "home", "trang-chu", "trangchu", "homepage", "main"}
_INDEX = re.compile(
    r"^(?:index|default|home|trang-chu|trangchu|homepage|main)\.(?:html?|php|aspx?|jsp|cfm)$"
)
# Query keys that only pick a language or a tracking campaign, not a page.
_NEUTRAL_QUERY = {"lang", "language", "hl", "l", "locale", "utm_source", "utm_medium", "ref"}


def is_home_page(url: str) -> bool:
    """True when `url` is a site's front page rather than a document or article on it.

    The rule: drop from the path every language code ("/vi", "/en-us"), portal container
    ("/Pages", "/portal", "/home", "/trang-chu") and index document ("index.html",
    "Default.aspx"); if nothing is left and the query names no page, it is a home page.
    """
    parts = urlsplit(url.strip())
    segments = [s for s in parts.path.split("/") if s]
    meaningful = [
        s
        for s in segments
        if not _LANGUAGE.match(s.lower())
        and s.lower() not in _CONTAINERS
        and not _INDEX.match(s.lower())
    ]
    if meaningful:
        return False
    query = [key for key, _ in parse_qsl(parts.query, keep_blank_values=True)]
    return all(key.lower() in _NEUTRAL_QUERY for key in query)


def _date_value(value: Any) -> date | None:
    return value if isinstance(value, date) else None


def parse_source(node: Any, line: int, report: Report, *, today: date) -> Source | None:
    """A validated source from a YAML mapping; every problem goes to `report` with its line."""
    if not isinstance(node, LineDict):
        report(line, "mỗi nguồn cần dạng {title, url, number, issued, checked}")
        return None
    for key in sorted(set(node) - SOURCE_KEYS):
        report(node.line_of(key), f"khóa '{key}' không có trong nguồn (gõ nhầm?)")
    title = _text(node, "title", MAX_TITLE, report)
    url = _text(node, "url", MAX_URL, report)
    if url and not url.startswith(("https://", "http://")):
        report(node.line_of("url"), f"đường dẫn nguồn phải bắt đầu bằng https://: {url}")
    elif url and is_home_page(url):
        report(
            node.line_of("url"),
            f"nguồn là trang chủ ({url}): hãy dẫn đúng trang văn bản hoặc bài viết",
        )
    number = _text(node, "number", MAX_NUMBER, report, required=False)
    issued = _date_value(node.get("issued"))
    if "issued" in node and issued is None:
        report(node.line_of("issued"), "'issued' phải là ngày dạng 2025-12-11")
    checked = _date_value(node.get("checked"))
    if checked is None:
        report(
            node.line_of("checked") if "checked" in node else node.line,
            "nguồn thiếu 'checked': ngày đã mở trang và đối chiếu (dạng 2026-12-02)",
        )
    elif checked > today:
        report(node.line_of("checked"), f"'checked' {checked.isoformat()} là ngày trong tương lai")
    if issued and checked and issued > checked:
        report(node.line_of("issued"), "'issued' sau ngày 'checked'")
    return Source(title, url, number or None, issued, checked)


def parse_sources(node: LineDict, key: str, report: Report, *, today: date) -> tuple[Source, ...]:
    """The sources under `key` (one mapping or a list of them); at least one is required."""
    value = node.get(key)
    items = value if isinstance(value, LineList) else [] if value is None else [value]
    found = []
    for index, item in enumerate(items):
        line = value.line_of(index) if isinstance(value, LineList) else node.line_of(key)
        source = parse_source(item, line, report, today=today)
        if source is not None:
            found.append(source)
    if not items:
        report(node.line_of(key), f"cần ít nhất một nguồn trong '{key}'")
    return tuple(found)


def _text(node: LineDict, key: str, limit: int, report: Report, *, required: bool = True) -> str:
    value = node.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str | int | float) or not str(value).strip():
        report(node.line_of(key), f"nguồn thiếu '{key}' (chữ, không để trống)")
        return ""
    text = " ".join(str(value).split())
    if len(text) > limit:
        report(node.line_of(key), f"'{key}' dài {len(text)} ký tự, tối đa {limit}")
    return text
