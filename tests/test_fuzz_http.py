"""A short run of the HTTP fuzz (bench/fuzz_http.py): 1,000 random requests across the web chat
API and the three webhooks against the server as its own process, with the database made to hang
and then stop for part of the run. No 5xx other than 503, 503 only while storage is down, no
traceback in the server's log, memory within 100 MB of the start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_a_thousand_hostile_requests_with_a_storage_outage(tmp_path: Path) -> None:
    figures_file = tmp_path / "fuzz.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench/fuzz_http.py"),
            "--requests",
            "1000",
            "--seed",
            "7",
            "--json",
            str(figures_file),
            "--log",
            str(tmp_path / "server.log"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert figures_file.exists(), run.stdout[-3000:] + run.stderr[-3000:]
    figures = json.loads(figures_file.read_text())
    log = (tmp_path / "server.log").read_text("utf-8", "replace")
    assert figures["bad_5xx"] == 0, figures["by_category"]
    assert figures["503_outside_outage"] == 0, figures["by_category"]
    assert figures["503_during_outage"] > 0  # the outage really happened
    assert figures["tracebacks"] == 0, log[log.find("Traceback") - 200 :][:4000]
    assert figures["no_answer_unexpected"] == 0, figures["by_category"]
    assert figures["rss_end_mb"] - figures["rss_start_mb"] <= 100
    assert figures["server_alive"] and figures["passed"]
    assert len(figures["outage_lines"]) >= 2  # down, then back up: once each
