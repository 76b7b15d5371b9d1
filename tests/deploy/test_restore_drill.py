"""The backup and restore drill of deploy/, run for real on PostgreSQL: a running bot's database is
dumped by deploy/backup.sh and restored by deploy/restore-drill.sh into a fresh database, on which
the bot must start and answer; backup retention keeps the newest dumps."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.storage.migrate import upgrade
from tests.conftest import ADMIN_PG_URL, _pg_admin, _pg_url
from tests.helpers.server import free_port

ROOT = Path(__file__).resolve().parents[2]
CDSBOT = f"{sys.executable} -m bot.entry"
pytestmark = pytest.mark.slow


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


@pytest.fixture
def source_db() -> Iterator[str]:
    """A migrated PostgreSQL database of its own (dropped afterwards)."""
    name = f"cdsbot_drill_{uuid.uuid4().hex[:10]}"
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    try:
        url = _pg_url(name)
        upgrade(url)
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _cli(*args: str, env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "-c", "from bot.cli import main; main()", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )


def _start_server(env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-c", "from bot.cli import main; main()", "serve"],
        cwd=ROOT,
        env=dict(env, WEB_PORT=str(port), WEB_HOST="127.0.0.1", SCHEDULER_ENABLED="false"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None, "the bot stopped while starting"
        time.sleep(0.2)
    process.kill()
    raise AssertionError("the bot did not start")


def test_backup_of_a_running_bot_restores_and_serves(
    source_db: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ZALO_", "DATABASE_URL"))
    }
    env.update(DATABASE_URL=source_db, DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    _cli("units", "import", "bot/demo/units.csv", env=env)

    port = free_port()
    server = _start_server(env, port)
    try:
        base = f"http://127.0.0.1:{port}"
        token = httpx.post(f"{base}/api/chat/sessions", timeout=10).json()["session"]
        headers = {"Authorization": f"Bearer {token}"}
        for text in ("/start", "VNeID là gì?"):
            answer = httpx.post(
                f"{base}/api/chat/messages", json={"text": text}, headers=headers, timeout=30
            )
            assert answer.status_code == 200, answer.text
        # The dump is taken while the bot runs (pg_dump reads one consistent snapshot).
        backups = tmp_path / "backups"
        backup = subprocess.run(
            ["bash", "deploy/backup.sh"],
            cwd=ROOT,
            env=dict(env, BACKUP_DIR=str(backups)),
            check=True,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    dump = Path(backup.stdout.strip())
    assert dump.parent == backups and dump.exists() and dump.stat().st_size > 0
    assert not list(backups.glob(".*partial")), "no half-written dump is left behind"

    drill = subprocess.run(
        ["bash", "deploy/restore-drill.sh", str(dump)],
        cwd=ROOT,
        env=dict(
            env,
            RESTORE_ADMIN_URL=ADMIN_PG_URL,
            SOURCE_URL=source_db,
            CDSBOT=CDSBOT,
            DRILL_PORT=str(free_port()),
        ),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert "bảng khớp" in drill.stdout
    assert "Khôi phục thử thành công" in drill.stdout


def test_restore_drill_fails_loudly_on_a_broken_dump(tmp_path: Path) -> None:
    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"PGDMP not really a dump")
    drill = subprocess.run(
        ["bash", "deploy/restore-drill.sh", str(broken)],
        cwd=ROOT,
        env=dict(os.environ, RESTORE_ADMIN_URL=ADMIN_PG_URL, CDSBOT=CDSBOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert drill.returncode != 0
    assert "Khôi phục thử thành công" not in drill.stdout


def test_backup_retention_keeps_the_newest(source_db: str, tmp_path: Path) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    old = time.time() - 40 * 86400
    for day in range(1, 6):
        stale = backups / f"cdsbot-2026010{day}T000000Z.dump"
        stale.write_bytes(b"x")
        os.utime(stale, (old + day, old + day))
    env = dict(
        os.environ,
        DATABASE_URL=_plain(source_db),
        BACKUP_DIR=str(backups),
        BACKUP_KEEP_DAYS="14",
        BACKUP_KEEP_MIN="3",
    )
    subprocess.run(["bash", "deploy/backup.sh"], cwd=ROOT, env=env, check=True, timeout=120)
    kept = sorted(path.name for path in backups.glob("cdsbot-*.dump"))
    # the new dump and the two newest old ones (3 in all); older ones past 14 days are gone
    assert len(kept) == 3
    assert "cdsbot-20260105T000000Z.dump" in kept and "cdsbot-20260104T000000Z.dump" in kept
    assert "cdsbot-20260101T000000Z.dump" not in kept
