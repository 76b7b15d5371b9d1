"""Command-line start-up and the server's routine logging.

1. CPU time (user + sys, from `resource.getrusage(RUSAGE_CHILDREN)`) of `cdsbot --help` and of
   `cdsbot deadlines add --help`, each in a fresh interpreter, median of `--runs`.
2. `cdsbot serve` with LOG_LEVEL=INFO on a fresh SQLite database, its scheduler jobs every
   `--interval` seconds, for `--seconds`: the log lines written after start-up, per job run. The
   number of job runs is taken from the same server started with LOG_LEVEL=DEBUG (where
   APScheduler says "Running job" for each).

`--baseline REV` measures the same at another git revision too (checked out with `git archive`
into a temporary folder), for the before/after ratio. `--write` replaces the CLI section of
docs/BENCHMARKS.md. Run: `.venv/bin/python bench/bench_cli.py [--runs 15] [--baseline 40cd2cf]
[--write]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.benchdoc import replace_section  # noqa: E402

START, END = "<!-- cli:start -->", "<!-- cli:end -->"
CLI = "import sys; sys.argv[0] = 'cdsbot'; from bot.entry import main; main()"


@dataclass(frozen=True)
class Figures:
    """What one revision measured."""

    label: str
    help_cpu: list[float]
    sub_help_cpu: list[float]
    info_lines: int
    job_runs: int


def cpu_of(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    """User + sys CPU seconds of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-c", CLI, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve_log(cwd: Path, env: dict[str, str], level: str, seconds: float) -> list[str]:
    """The log lines `cdsbot serve` writes once started (after its start-up lines)."""
    env = dict(env, LOG_LEVEL=level, WEB_PORT=str(free_port()))
    with tempfile.TemporaryFile("w+", encoding="utf-8") as log:
        server = subprocess.Popen(
            [sys.executable, "-c", CLI, "serve"], cwd=cwd, env=env, stdout=log, stderr=log
        )
        deadline = time.monotonic() + 120
        started: float | None = None
        while started is None or time.monotonic() - started < seconds:
            if server.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"serve stopped early:\n{log.read()}")
            if started is None:
                log.seek(0)
                if "Application startup complete" in log.read():
                    started = time.monotonic()
                elif time.monotonic() > deadline:
                    raise RuntimeError("serve did not start")
            time.sleep(0.05)
        log.seek(0)
        text = log.read()
        server.terminate()
        server.wait(timeout=30)
    # Uvicorn's last start-up line ("Uvicorn running on …") comes after the lifespan's.
    after = text.split("Application startup complete", 1)[1].splitlines()[1:]
    return [line for line in after if "Uvicorn running on" not in line]


def measure(label: str, tree: Path, runs: int, seconds: float, interval: float) -> Figures:
    """Every figure for the code in `tree`."""
    with tempfile.TemporaryDirectory() as data:
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "DATA_DIR": data,
            "DATABASE_URL": "",
            "SWEEP_INTERVAL_SECONDS": str(interval),
            "SENDER_INTERVAL_SECONDS": str(interval),
            "COLUMNS": "100",
        }
        for key in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID", "LOG_LEVEL"):
            env.pop(key, None)
        subprocess.run(
            [sys.executable, "-c", CLI, "db", "upgrade"],
            cwd=tree,
            env=env,
            check=True,
            capture_output=True,
        )
        cpu_of(["--help"], tree, env)  # warm the file cache
        help_cpu = [cpu_of(["--help"], tree, env) for _ in range(runs)]
        sub = ["deadlines", "add", "--help"]
        sub_help_cpu = [cpu_of(sub, tree, env) for _ in range(runs)]
        info = serve_log(tree, env, "INFO", seconds)
        debug = serve_log(tree, env, "DEBUG", seconds)
    job_runs = sum("Running job" in line for line in debug)
    return Figures(label, help_cpu, sub_help_cpu, len(info), job_runs)


def checkout(revision: str, into: Path) -> Path:
    """The tree of a git revision, extracted into `into`."""
    archive = subprocess.run(
        ["git", "archive", revision], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tempfile.NamedTemporaryFile(suffix=".tar") as tar_file:
        tar_file.write(archive)
        tar_file.flush()
        with tarfile.open(tar_file.name) as tar:
            tar.extractall(into, filter="data")
    return into


def row(figures: Figures) -> str:
    """One table row."""
    per_run = figures.info_lines / figures.job_runs if figures.job_runs else 0.0
    return (
        f"| {figures.label} | {statistics.median(figures.help_cpu):.2f} s "
        f"(min {min(figures.help_cpu):.2f}) | {statistics.median(figures.sub_help_cpu):.2f} s | "
        f"{figures.info_lines} lines / {figures.job_runs} job runs = **{per_run:.2f}** |"
    )


def section(results: list[Figures], runs: int, seconds: float, interval: float) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    load = os.getloadavg()
    header = (
        "| code | `cdsbot --help` CPU (median) | `deadlines add --help` CPU | `serve` INFO log "
        "lines after start-up, per scheduler job run |\n|---|---|---|---|"
    )
    ratio = ""
    if len(results) == 2:
        before = statistics.median(results[1].help_cpu)
        after = statistics.median(results[0].help_cpu)
        ratio = f" `--help` takes {before / after:.1f}x less CPU than before."
    return f"""{START}
## Command-line start-up and routine logging (`bench/bench_cli.py`)

Machine: {os.cpu_count()} cores, {platform.processor() or platform.machine()}, Python \
{platform.python_version()}; {datetime.now():%d/%m/%Y %H:%M}, load average {load[0]:.1f} (a shared
machine: CPU time, not wall time, is what is compared). CPU = user + sys of the child process
(`getrusage`), median of {runs} runs in fresh interpreters.
`serve`: LOG_LEVEL=INFO, SQLite, no channel configured, the sweep every {interval} s, observed
for {seconds:.0f} s after "Application startup complete"; job runs counted in a LOG_LEVEL=DEBUG
run of the same length.

{header}
{chr(10).join(row(figures) for figures in results)}

Target: `cdsbot --help` under 1 s of CPU, and no log line per routine job run at INFO.
{ratio.strip()}
Heavy libraries (matplotlib, openpyxl, FastAPI, Alembic, SQLAlchemy, python-telegram-bot) are
imported inside the commands that use them; APScheduler's per-run lines (and its "skipped:
maximum number of running instances" warning for a run that overlaps the next) are shown only
at LOG_LEVEL=DEBUG, Alembic's only for `cdsbot db`.
{END}"""


def main() -> None:
    """Measure, print, optionally write the section."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--interval", type=float, default=0.5)
    parser.add_argument("--baseline", default="")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    results = [measure("this tree", ROOT, args.runs, args.seconds, args.interval)]
    if args.baseline:
        with tempfile.TemporaryDirectory() as folder:
            tree = checkout(args.baseline, Path(folder))
            label = f"before (`{args.baseline}`)"
            results.append(measure(label, tree, args.runs, args.seconds, args.interval))
    text = section(results, args.runs, args.seconds, args.interval)
    print(text)
    if args.write:
        replace_section(text, START, END)


if __name__ == "__main__":
    main()
