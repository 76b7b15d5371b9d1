"""The bot's Prometheus metrics, one set per process, and how they are exposed.

Several processes (`cdsbot serve --workers N`, the `cdsbot worker` next to the web processes)
are counted together with prometheus-client's multiprocess mode: when `PROMETHEUS_MULTIPROC_DIR`
names a directory, every process writes its values there and `/metrics`, whichever process
answers it, adds them up (counters and histograms summed, gauges as documented per gauge). The
directory must be shared by all the bot's processes on the host and emptied when they are all
(re)started (docs/DEPLOY.md). Without it each process counts for itself: right for one process.

Files in that directory are named after the process; the name is `<host>-<pid>` rather than the
pid alone, so that containers sharing the directory (each with its own pid 1, 7, …) do not
write into each other's files.

Labels are bounded: channel names, outcome words and the short reasons the sender already uses
(`bot.scheduler.sender`); never a person, chat id or message text.
"""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import values
from prometheus_client.values import MultiProcessValue

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def _process_identifier() -> str:
    # no "_" in the name: prometheus-client splits file names on it
    host = socket.gethostname().replace("_", "-")[:40]
    return f"{host}-{os.getpid()}"


def multiprocess_dir() -> Path | None:
    """The shared metrics directory of this deployment, if one is configured."""
    value = os.environ.get(MULTIPROC_ENV, "")
    return Path(value) if value else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def forget_dead_processes(directory: Path) -> None:
    """Remove the "live" gauges (pool connections) of processes of this host that have ended:
    a restarted process must not be counted twice. Counters and histograms of ended processes
    stay: their counts still happened."""
    host = _process_identifier().rpartition("-")[0]
    for path in directory.glob("gauge_live*_*.db"):
        owner, _, pid = path.stem.rpartition("_")[2].rpartition("-")
        if owner == host and pid.isdigit() and not _alive(int(pid)):
            path.unlink(missing_ok=True)


_DIRECTORY = multiprocess_dir()
if _DIRECTORY is not None:
    forget_dead_processes(_DIRECTORY)
    # Before any metric exists: every value of this process lives in <dir>/<type>_<host-pid>.db
    values.ValueClass = MultiProcessValue(process_identifier=_process_identifier)

# Imported after the value class is chosen (the metric classes read it when they are created).
from prometheus_client import Counter, Gauge, Histogram  # noqa: E402

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

UPDATES = Counter(
    "cdsbot_updates",
    "Updates (turns) handled, by channel and outcome: answered, replayed (a redelivery answered "
    "with the kept replies), error (a handler failed; the person got the polite error), busy "
    "(lost a race on the conversation), unavailable (storage down: the platform retries).",
    ["channel", "outcome"],
)
TURN_SECONDS = Histogram(
    "cdsbot_turn_seconds",
    "Time to handle one update (claim, handler, state, commit), by channel; sending the reply "
    "is not included.",
    ["channel"],
    buckets=LATENCY_BUCKETS,
)
KNOWLEDGE = Counter(
    "cdsbot_knowledge_questions",
    "Questions to the knowledge base by result: answered (a topic), declined (not sure), "
    "smalltalk.",
    ["result"],
)
DELIVERIES = Counter(
    "cdsbot_deliveries",
    "Outbox deliveries by outcome (sent, retried, failed, undeliverable, rejected) and reason "
    "(blocked, rate_limited, backoff, gave_up, …; empty when sent).",
    ["outcome", "reason"],
)
RATE_LIMITED = Counter(
    "cdsbot_platform_rate_limited",
    "Answers 429 (Too Many Requests, or the platform's own code for it) received from a "
    "platform, by channel and path: outbox (pushes), reply (replies sent in a turn, webhook or "
    "polling), callback (answers to a button press).",
    ["channel", "path"],
)
SWEEP_SECONDS = Histogram(
    "cdsbot_sweep_seconds",
    "Duration of one scheduler sweep (due reminders, tips, nudges into the outbox).",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)
SWEEP_LAST_SUCCESS = Gauge(
    "cdsbot_sweep_last_success_timestamp_seconds",
    "Unix time of the last sweep that finished without error (the newest of all processes).",
    multiprocess_mode="max",
)
POOL_CONNECTIONS = Gauge(
    "cdsbot_db_pool_connections",
    "Database connections of the pools: in_use (checked out), size (pool size); summed over "
    "the live processes.",
    ["state"],
    multiprocess_mode="livesum",
)

REASON_MAX = 40


def count_turn(channel: str, outcome: str, seconds: float) -> None:
    """One update handled (the engine's `TurnObserver`)."""
    UPDATES.labels(channel, outcome).inc()
    TURN_SECONDS.labels(channel).observe(seconds)


@contextmanager
def timed_sweep() -> Iterator[None]:
    """Around one sweep: its duration, and the time it last finished without error."""
    started = time.perf_counter()
    try:
        yield
    finally:
        SWEEP_SECONDS.observe(time.perf_counter() - started)
    SWEEP_LAST_SUCCESS.set_to_current_time()  # not reached when the sweep raised


def count_knowledge(kind: str) -> None:
    """One question answered by the knowledge base; `kind` is an `AnswerKind` value."""
    KNOWLEDGE.labels({"topic": "answered", "not_sure": "declined"}.get(kind, kind)).inc()


def count_delivery(outcome: str, reason: str | None) -> None:
    """One outcome of the outbox sender (`SendStats.count`)."""
    DELIVERIES.labels(outcome, (reason or "")[:REASON_MAX]).inc()


def count_rate_limited(channel: str, path: str) -> None:
    """A platform answered 429 to a message sent by `path` (outbox, reply, callback)."""
    RATE_LIMITED.labels(channel, path).inc()


def watch_pool(engine: object) -> None:
    """Keep `cdsbot_db_pool_connections` up to date from the pool's own events (each process
    reports its own pool)."""
    from sqlalchemy import event

    sync_engine = engine.sync_engine  # type: ignore[attr-defined]
    size = getattr(sync_engine.pool, "size", None)
    POOL_CONNECTIONS.labels("size").set(size() if callable(size) else 0)
    in_use = POOL_CONNECTIONS.labels("in_use")
    # Counted from the events: at the checkin event the pool has not taken the connection
    # back yet, so reading `pool.checkedout()` there would be one too many.
    event.listen(sync_engine, "checkout", lambda *_: in_use.inc())
    event.listen(sync_engine, "checkin", lambda *_: in_use.dec())
