"""uvicorn's HTTP/1.1 protocol (h11) with a deadline for a request's line and headers.

uvicorn limits header size (`h11_max_incomplete_event_size`, 16 KiB) and idle keep-alive
connections (`timeout_keep_alive`), but it has no time limit on *receiving* headers: its keep-alive
timer is cancelled by any byte, so a client sending one header byte every few seconds holds a
connection (and a file descriptor) forever. This protocol closes a connection whose next request
has not finished its headers `header_seconds` after the connection opened or the previous
response ended. Request bodies are bounded by `bot.guard.body.BodyGuard`."""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol


class HeaderDeadlineProtocol(H11Protocol):
    """H11Protocol that drops clients too slow to send their headers."""

    header_seconds: float = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer: asyncio.TimerHandle | None = None
        self._arm()

    def data_received(self, data: bytes) -> None:
        cycle = self.cycle
        super().data_received(data)
        if self.cycle is not cycle:  # a new request's headers are complete
            self._disarm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm()  # the next request on this connection gets its own deadline

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        if self.header_seconds:
            self._header_timer = self.loop.call_later(self.header_seconds, self._too_slow)

    def _disarm(self) -> None:
        timer = getattr(self, "_header_timer", None)
        if timer is not None:
            timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.close()


def with_header_deadline(seconds: float) -> type[HeaderDeadlineProtocol]:
    """The protocol class to give uvicorn (`http=`), with this deadline."""
    return type("HeaderDeadlineProtocol", (HeaderDeadlineProtocol,), {"header_seconds": seconds})


def uvicorn_options(settings: Any) -> dict[str, Any]:
    """uvicorn options that bound what a client can hold: the protocol above, keep-alive."""
    return {
        "http": with_header_deadline(settings.request_header_seconds),
        "timeout_keep_alive": 5,
        "h11_max_incomplete_event_size": 16 * 1024,
    }


class ConfiguredHeaderDeadlineProtocol(HeaderDeadlineProtocol):
    """The protocol with the configured deadline, importable by name (`cdsbot serve --workers`
    starts each worker from an import path)."""

    _configured: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        cls = type(self)
        if cls._configured is None:  # read once per worker process
            from bot.config import get_settings

            cls._configured = get_settings().request_header_seconds
        self.header_seconds = cls._configured
        super().connection_made(transport)
