"""A TCP proxy on loopback that injects storage faults between the bot and PostgreSQL.

Modes, switched at any time from any thread:
- `forward`: bytes flow both ways (a healthy database);
- `stall`: connections stay open but nothing flows, and new ones are accepted and then ignored
  (a database host that hangs: no error, no answer);
- `refuse`: every connection is cut at once and new ones are refused (a stopped database).

Runs its own event loop in a daemon thread, so it keeps working while the test's loop waits.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

FORWARD, STALL, REFUSE = "forward", "stall", "refuse"


class FaultyProxy:
    """Listens on 127.0.0.1:<port> and relays to `target` according to the current mode."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.mode = FORWARD
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port: int = probe.getsockname()[1]
        probe.close()

    def start(self) -> FaultyProxy:
        """Start listening (in forward mode)."""
        self._thread.start()
        self._call(self._listen())
        self._call(self._set(FORWARD))
        return self

    def stop(self) -> None:
        """Close everything and stop the thread."""
        self._call(self._set(REFUSE))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def set_mode(self, mode: str) -> None:
        """Switch to `forward`, `stall` or `refuse`."""
        assert mode in (FORWARD, STALL, REFUSE)
        self._call(self._set(mode))

    def _call(self, coroutine: object) -> None:
        asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)  # type: ignore[arg-type]

    async def _set(self, mode: str) -> None:
        self.mode = mode
        if mode == FORWARD:
            if self._server is None:
                await self._listen()
            self._flowing.set()
        elif mode == STALL:
            if self._server is None:
                await self._listen()
            self._flowing.clear()
        else:
            self._flowing.clear()
            if self._server is not None:
                self._server.close()
                self._server = None
            for writer in list(self._writers):
                writer.transport.abort()
            self._writers.clear()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            await self._flowing.wait()
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.transport.abort()
            return
        self._writers.add(up_writer)
        await asyncio.gather(
            self._pipe(reader, up_writer), self._pipe(up_reader, writer), return_exceptions=True
        )
        for w in (writer, up_writer):
            self._writers.discard(w)
            w.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            await self._flowing.wait()  # stalled: hold the bytes, say nothing
            writer.write(data)
            await writer.drain()
        writer.transport.abort()


@contextmanager
def faulty_proxy(target_host: str, target_port: int) -> Iterator[FaultyProxy]:
    """A started proxy, stopped when the block ends."""
    proxy = FaultyProxy(target_host, target_port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
