"""Run the real ASGI app with uvicorn on a free loopback port, in a background thread."""

from __future__ import annotations

import asyncio
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def serve_in_thread(app: FastAPI, *, port: int | None = None) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    port = port or free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)


async def wait_healthy(
    process: subprocess.Popen[bytes], port: int, log: Path, *, seconds: float = 30.0
) -> None:
    """Wait until a bot process started by a test answers on /healthz; fail with its log when
    it exits or does not answer in time."""
    async with httpx.AsyncClient() as client:
        for _ in range(int(seconds / 0.1)):
            if process.poll() is not None:
                raise AssertionError(f"the bot exited:\n{_read(log)}")
            try:
                if (await client.get(f"http://127.0.0.1:{port}/healthz")).is_success:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError(f"the bot did not start:\n{_read(log)}")


def _read(log: Path) -> str:
    """The process's log, for a failure message (read once, when failing)."""
    return log.read_text()
