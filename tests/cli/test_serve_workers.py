"""`cdsbot serve --workers N`: N server processes on one port on PostgreSQL; refused on SQLite,
which serves one process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.helpers.server import free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(db_url: str, data: Path, port: int, *args: str) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        DATA_DIR=str(data),
        WEB_PORT=str(port),
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [sys.executable, "-c", "from bot.entry import main; main()", "serve", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _children(pid: int) -> list[int]:
    """Processes whose parent is `pid` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def test_several_workers_serve_one_port_on_postgresql(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    server = _serve(db_url, tmp_path, port, "--workers", "2")
    try:
        if db_url.startswith("sqlite"):
            _, err = server.communicate(timeout=120)
            assert server.returncode == 1 and "Traceback" not in err
            assert "cần PostgreSQL" in err
            return
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.communicate()[1]
            try:
                if httpx.get(f"http://127.0.0.1:{port}/healthz").is_success:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        workers = [pid for pid in _children(server.pid) if pid != server.pid]
        # uvicorn's supervisor starts the two workers (and a resource tracker of its own)
        assert len(workers) >= 2
        session = httpx.post(f"http://127.0.0.1:{port}/api/chat/sessions")
        assert session.status_code == 201
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.communicate()
