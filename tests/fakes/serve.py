"""Run ASGI apps with uvicorn on free loopback ports: fakes in a background thread, the bot's own
app in the test's event loop."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any, Self

import uvicorn


def tcp_socket() -> socket.socket:
    """A TCP socket whose accepted connections get TCP_NODELAY: asyncio sets it only when the
    socket's protocol is IPPROTO_TCP, and without it every small request on loopback waits ~40 ms
    for a delayed ACK (Nagle's algorithm)."""
    return socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)


class BackgroundServer:
    """An ASGI app served on 127.0.0.1 from its own thread and event loop until `stop()`."""

    def __init__(self, app: Any, *, port: int = 0) -> None:
        self._socket = tcp_socket()
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", port))
        self.port: int = self._socket.getsockname()[1]
        self._server = uvicorn.Server(
            uvicorn.Config(
                app,
                log_level="warning",
                lifespan="off",
                access_log=False,
                timeout_graceful_shutdown=1,
            )
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:43123."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BackgroundServer:
        """Start serving and wait until the socket accepts connections."""
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("fake server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and join the thread."""
        self._server.should_exit = True
        self._thread.join(timeout=15)
        self._socket.close()


def bound_socket() -> socket.socket:
    """A loopback socket on a free port, bound now (so its URL is known before the app exists)."""
    sock = tcp_socket()
    sock.bind(("127.0.0.1", 0))
    return sock


@asynccontextmanager
async def serve_here(app: Any, sock: socket.socket | None = None) -> AsyncIterator[str]:
    """Serve an ASGI app on loopback from the *current* event loop (so it can share the test's
    database connections and clock); yields its base URL. Runs the app's lifespan."""
    sock = sock or bound_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(app, log_level="warning", lifespan="on", access_log=False)
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    deadline = time.monotonic() + 15
    while not server.started:
        if task.done() or time.monotonic() > deadline:
            sock.close()
            raise RuntimeError("app server did not start")
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()


class ServedFake:
    """Base of the fake platforms: their ASGI `app`, served on loopback on demand."""

    app: Any
    _server: BackgroundServer | None = None

    @property
    def url(self) -> str:
        """The server's root URL."""
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not running")
        return self._server.url

    @property
    def base_url(self) -> str:
        """A Bot-API-style base URL (`<root>/bot`, the token is appended by clients)."""
        return f"{self.url}/bot"

    def start(self, port: int = 0) -> Self:
        """Serve from a background thread."""
        self._server = BackgroundServer(self.app, port=port).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.stop()
            self._server = None

    @contextmanager
    def running(self, port: int = 0) -> Iterator[Self]:
        """Serve for the duration of a with-block."""
        self.start(port)
        try:
            yield self
        finally:
            self.stop()
