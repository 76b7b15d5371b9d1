"""Security headers on every response, and a Content-Security-Policy for the web chat page built at
start-up from the page itself: its inline scripts and styles are allowed by their SHA-256 hashes,
nothing else inline, nothing from other sites, and no framing by other sites."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
API_POLICY = "frame-ancestors 'none'"
"""Responses other than the pages (JSON, files) only forbid framing: FastAPI's own /docs page
loads its scripts from elsewhere and is left working."""


class _InlineCode(HTMLParser):
    """Collects the text of inline <script> (without src) and <style> elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script" and not any(name == "src" for name, _ in attrs):
            self._current = self.scripts
            self.scripts.append("")
        elif tag == "style":
            self._current = self.styles
            self.styles.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._current = None

    def handle_data(self, data: str) -> None:
        if self._current is not None:
            self._current[-1] += data


def _hashes(blocks: list[str]) -> str:
    return " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"
        for block in blocks
    )


def page_policy(html: str) -> str:
    """The Content-Security-Policy of a page served by the bot, allowing exactly its own inline
    scripts and styles (images may be data: URLs made by the bot or https pictures)."""
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {_hashes(parser.scripts)}".rstrip(),
            f"style-src 'self' {_hashes(parser.styles)}".rstrip(),
            "img-src 'self' data: blob: https:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityHeaders:
    """Adds the common headers to every HTTP response, and the page's own policy on its path."""

    def __init__(self, app: Any, *, page_policies: Mapping[str, str]) -> None:
        self.app = app
        self._pages = {path: policy.encode() for path, policy in page_policies.items()}

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self._pages.get(scope.get("path", ""), API_POLICY.encode())

        async def with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in COMMON_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", policy))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, with_headers)
