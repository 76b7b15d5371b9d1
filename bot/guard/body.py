"""An ASGI middleware that reads every request body itself, within limits, before the app sees it:
a declared Content-Length over the limit is refused before a byte is read (413), a streamed body
is counted as it arrives (413 as soon as it passes the limit), a body that takes too long is
refused (408), and a JSON body nested too deeply is refused (400). The app then reads the
buffered body as usual."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from bot.guard.json_depth import MAX_JSON_DEPTH, nests_deeper_than

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]


class BodyGuard:
    """Bounds the size, the arrival time and the JSON nesting of every request body."""

    def __init__(
        self,
        app: Any,
        *,
        max_bytes: int,
        body_seconds: float,
        message: Callable[[str], str],
        max_depth: int = MAX_JSON_DEPTH,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.body_seconds = body_seconds
        self.max_depth = max_depth
        self._message = message  # catalog key -> Vietnamese text of the refusal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            status = 413 if declared.isdigit() else 400
            await self._refuse(send, status, "web.too_large" if status == 413 else "web.bad_length")
            return
        try:
            async with asyncio.timeout(self.body_seconds or None):
                body = await self._read(receive)
        except TimeoutError:
            await self._refuse(send, 408, "web.too_slow")
            return
        except _ClientLeft:
            return
        if body is None:
            await self._refuse(send, 413, "web.too_large")
            return
        if body and nests_deeper_than(body, self.max_depth):
            await self._refuse(send, 400, "web.too_deep")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read(self, receive: Receive) -> bytes | None:
        """The whole body, or None as soon as it passes the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                raise _ClientLeft
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _refuse(self, send: Send, status: int, key: str) -> None:
        body = json.dumps({"detail": self._message(key)}, ensure_ascii=False).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),  # the rest of the body is never read
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _ClientLeft(Exception):
    """The client disconnected before sending its whole body."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive() that hands the buffered body over once, then waits for the disconnect."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
