"""Several processes, one /metrics: with PROMETHEUS_MULTIPROC_DIR every process (web workers,
the worker) writes its counts into the shared directory and any of them exposes the sum; the
pool gauges of processes that have ended are dropped by the next one to start."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.observability.http import _process_metrics
from bot.observability.metrics import MULTIPROC_ENV


def _start(directory: Path, turns: int, in_use: int) -> subprocess.Popen[str]:
    """A bot-like process that counts, then stays alive until its stdin is closed."""
    code = (
        "import sys\n"
        "from bot.observability import metrics\n"
        f"for _ in range({turns}):\n"
        "    metrics.count_turn('test', 'answered', 0.02)\n"
        "metrics.count_delivery('sent', None)\n"
        f"metrics.POOL_CONNECTIONS.labels('in_use').set({in_use})\n"
        "print('counted', flush=True)\n"
        "sys.stdin.read()\n"
    )
    env = {**os.environ, MULTIPROC_ENV: str(directory)}
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "counted"
    return process


def _end(process: subprocess.Popen[str]) -> None:
    assert process.stdin is not None
    process.stdin.close()
    assert process.wait(timeout=30) == 0


def _scrape(directory: Path, monkeypatch: pytest.MonkeyPatch) -> dict[tuple, float]:
    monkeypatch.setenv(MULTIPROC_ENV, str(directory))
    text = _process_metrics().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_counts_of_several_processes_add_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_process = _start(tmp_path, turns=3, in_use=4)
    second_process = _start(tmp_path, turns=2, in_use=4)
    host = socket.gethostname()
    assert all(path.stem.split("_")[-1].startswith(host) for path in tmp_path.glob("*.db"))
    both = _scrape(tmp_path, monkeypatch)
    answered = ("cdsbot_updates_total", (("channel", "test"), ("outcome", "answered")))
    assert both[answered] == 5
    assert both[("cdsbot_turn_seconds_count", (("channel", "test"),))] == 5
    assert both[("cdsbot_deliveries_total", (("outcome", "sent"), ("reason", "")))] == 2
    in_use = ("cdsbot_db_pool_connections", (("state", "in_use"),))
    assert both[in_use] == 8  # summed over the live processes
    _end(first_process)
    _end(second_process)
    _end(_start(tmp_path, turns=0, in_use=1))  # started after both ended: forgot their gauges
    after = _scrape(tmp_path, monkeypatch)
    assert after[in_use] == 1
    assert after[answered] == 5  # what ended processes counted still counts
