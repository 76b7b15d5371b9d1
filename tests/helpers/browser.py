"""Headless Chromium for the browser tests: Debian's `chromium` driven by Playwright for Python.

Playwright's own browser download does not work here, so the tests launch the system browser by
path. `ensure_browser()` installs what is missing (apt-get for Chromium, pip for Playwright) and
says why when that is impossible, so that the tests skip with a clear message only then."""

from __future__ import annotations

import fcntl
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PLAYWRIGHT = "playwright>=1.45"


def _run(command: list[str], timeout: float) -> str | None:
    """Run an installer; None on success, else the tail of what it said."""
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)
    except (OSError, subprocess.TimeoutExpired) as error:
        return str(error)
    return None if done.returncode == 0 else (done.stderr or done.stdout)[-400:]


def _install_chromium() -> str | None:
    if CHROMIUM.exists():
        return None
    if not shutil.which("apt-get") or os.geteuid() != 0:
        return f"{CHROMIUM} is missing and apt-get cannot run here (needs root on Debian)"
    lock = ["-o", "DPkg::Lock::Timeout=300"]
    problem = _run(["apt-get", *lock, "update", "-qq"], 600) or _run(
        ["apt-get", *lock, "install", "-y", "-qq", "chromium"], 1200
    )
    if problem is not None or not CHROMIUM.exists():
        return f"apt-get install chromium failed: {problem}"
    return None


def _install_playwright() -> str | None:
    if importlib.util.find_spec("playwright") is not None:
        return None
    problem = _run([sys.executable, "-m", "pip", "install", "--quiet", PLAYWRIGHT], 900)
    importlib.invalidate_caches()
    if problem is not None or importlib.util.find_spec("playwright") is None:
        return f"pip install {PLAYWRIGHT} failed: {problem}"
    return None


def ensure_browser() -> str | None:
    """Install Chromium and Playwright when missing; None when both are ready, else why not.
    One installer at a time across the suite's worker processes (pytest-xdist): two apt-get or
    pip runs at once would fail on each other's locks."""
    with open(Path(tempfile.gettempdir()) / "cdsbot-test-browser.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _install_playwright() or _install_chromium()
