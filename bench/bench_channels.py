"""Telegram webhook throughput as a deployment sees it: `cdsbot serve` next to a bare
python-telegram-bot echo bot, each in its own process.

Three kinds of process, as in production: the bot under test (`cdsbot serve` in Telegram webhook
mode, exactly what an operator starts; or the echo bot, bench/ptb_echo.py, a PTB `Application`
whose webhook route puts updates on its queue), the fake Telegram Bot API
(`python -m tests.fakes.telegram_api`), and this script, the load generator. No two of them share
a GIL.

The load: `--people` returning users (registered as citizens before the bot starts), updates
posted to the webhook with the secret header, `--concurrency` in flight (Telegram's
`max_connections`). Mixes: `/menu` only, and `/menu` alternating with knowledge-base questions.
Measured per round:

- throughput: updates / (first POST sent → last reply accepted by the fake Bot API), after
  checking that every person got an answer to every update;
- POST → webhook answered, p50 and p99 (what Telegram waits for before the next update);
- the bot process's RSS idle (ready, before any load) and after `--updates` (≥ 2,000) mixed
  updates, from /proc;
- launch → first answered knowledge-base question: process spawned → the fake accepted the
  answer to a question posted as soon as the port accepts connections; median of `--launches`
  first starts (DATA_DIR/cache emptied: the knowledge base's index is built) and as many
  restarts (the index read back from DATA_DIR/cache, as after a deploy or a crash), alternating
  between the servers.

On PostgreSQL (a fresh database from TEST_POSTGRES_URL) and SQLite (a file). Rounds alternate
echo / ours on both databases so that all see the same machine load; medians are reported.
Run: `.venv/bin/python bench/bench_channels.py [--updates 2000] [--rounds 3] [--write]`;
`--write` replaces the channels section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.benchdoc import replace_section  # noqa: E402
from bot.app import BotApp  # noqa: E402
from bot.config import get_settings  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
START, END = "<!-- channels:start -->", "<!-- channels:end -->"
QUESTIONS = ["VNeID mức 2 là gì?", "Cách đặt mật khẩu an toàn"]
MIXES = {
    "menu": ("`/menu` only", ["/menu"]),
    "all": ("`/menu` and knowledge-base questions", ["/menu", QUESTIONS[0], "/menu", QUESTIONS[1]]),
}
FIRST_USER = 1_000_000
REDELIVERIES = 10
PROBE_USER = 999_999  # the launch probe's person (registered too)


def free_port() -> int:
    """A loopback port free now (the child binds it a moment later)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def Updates() -> FakeTelegram:  # noqa: N802 - reads as the type it returns
    """Builds Telegram updates (ids only grow): a fake that is never served, only asked for
    updates (what it queues for getUpdates is dropped after each round)."""
    return FakeTelegram(TOKEN)


@dataclass
class Process:
    """A child process with its output in a log file."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = None
    spawned_at: float = 0.0

    def spawn(self) -> Process:
        with self.log.open("ab") as out:
            self.spawned_at = time.time()
            self.popen = subprocess.Popen(
                self.argv, cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def rss_mb(self) -> float:
        assert self.popen is not None
        for line in Path(f"/proc/{self.popen.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmRSS")

    def cpu_s(self) -> float:
        """CPU seconds (user + system) the process has used: a launch's cost that the other
        work on a shared machine does not inflate as it does the wall time."""
        assert self.popen is not None
        fields = Path(f"/proc/{self.popen.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(5)


@dataclass
class Server:
    """A bot under test: its process and webhook URL."""

    label: str
    process: Process
    url: str
    data_dir: Path | None = None
    launch_s: float = 0.0
    launch_cpu_s: float = 0.0
    first_starts: list[tuple[float, float]] = field(default_factory=list)  # (wall, CPU) s
    restarts: list[tuple[float, float]] = field(default_factory=list)
    rss_idle: float = 0.0
    rss_loaded: list[float] = field(default_factory=list)


class FakeApi:
    """The fake Bot API in its own process."""

    def __init__(self, work: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process = Process(
            "fake",
            [sys.executable, "-m", "tests.fakes.telegram_api", "--port", str(self.port)]
            + ["--token", TOKEN],
            child_env(),
            work / "fake.log",
        ).spawn()
        self.client = httpx.AsyncClient(base_url=self.base, timeout=30)

    @property
    def api_url(self) -> str:
        return f"{self.base}/bot"

    async def ready(self) -> None:
        await until(lambda: self._answers(), "the fake Bot API", 30)

    async def _answers(self) -> bool:
        try:
            return (await self.client.get("/_test/count")).is_success
        except httpx.TransportError:
            return False

    async def count(self) -> tuple[int, float | None]:
        body = (await self.client.get("/_test/count")).json()
        return int(body["messages"]), body["last_at"]

    async def messages(self) -> list[dict[str, Any]]:
        return list((await self.client.get("/_test/messages")).json())

    async def reset(self) -> None:
        await self.client.post("/_test/reset")

    async def close(self) -> None:
        await self.client.aclose()
        self.process.stop()


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child: this checkout first on the path, no .env surprises."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env.update(extra)
    return env


async def until(condition: Any, what: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await condition():
            return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"timed out waiting for {what}")


# ----- the database and the returning users ----------------------------------------------------


async def prepare_database(url: str, data_dir: Path, people: int) -> None:
    """Migrate, import the demo units and register `people` citizens (plus the launch probe)."""
    await asyncio.to_thread(upgrade, url)
    settings = get_settings(_env_file=None, database_url=url, data_dir=data_dir)
    app = BotApp.build(settings)
    try:
        await app.services.units.import_csv(ROOT / "bot/demo/units.csv")
        users = app.services.users
        for external in [PROBE_USER, *range(FIRST_USER, FIRST_USER + people)]:
            profile = await users.touch(channel="telegram", external_id=str(external))
            await users.record_consent(profile.id)
            await users.register_citizen(profile.id)
    finally:
        await app.close()


# ----- starting the servers --------------------------------------------------------------------


def ours(label: str, url: str, data_dir: Path, fake: FakeApi, work: Path) -> Server:
    """`cdsbot serve` as an operator runs it (webhook mode, scheduler off: no pushes due)."""
    port = free_port()
    hook = f"http://127.0.0.1:{port}/tg/hook"
    env = child_env(
        DATABASE_URL=url,
        DATA_DIR=str(data_dir),
        WEB_HOST="127.0.0.1",
        WEB_PORT=str(port),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=fake.api_url,
        TELEGRAM_WEBHOOK_URL=hook,
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        SCHEDULER_ENABLED="false",
        LOG_LEVEL="WARNING",
        # The echo bot paces nothing; ours keeps Telegram's 30/s overall and 1/s per chat, which
        # would cap it at 30 updates/s whatever it costs. The bench compares the work per update,
        # so the pacer is set out of the way (the fake enforces no limits either).
        TELEGRAM_RATE_PER_SECOND="10000",
        TELEGRAM_RATE_PER_CHAT="1000",
    )
    argv = [sys.executable, "-c", "from bot.entry import main; main()", "serve"]
    return Server(label, Process(label, argv, env, work / f"{label}.log"), hook, data_dir)


def echo(fake: FakeApi, work: Path, concurrency: int) -> Server:
    """The PTB echo bot (bench/ptb_echo.py)."""
    port = free_port()
    argv = [sys.executable, str(ROOT / "bench/ptb_echo.py"), "--port", str(port)]
    argv += ["--token", TOKEN, "--api", fake.api_url, "--secret", SECRET]
    argv += ["--concurrency", str(concurrency)]
    process = Process("echo", argv, child_env(), work / "echo.log")
    return Server("echo", process, f"http://127.0.0.1:{port}/tg/hook")


async def launch(
    server: Server, fake: FakeApi, updates: FakeTelegram, client: httpx.AsyncClient
) -> None:
    """Spawn; post a knowledge-base question as soon as the port accepts it (a refused
    connection is retried, an answer other than 200 is not: the update would be redelivered);
    the launch time ends when the fake accepted the answer."""
    await fake.reset()
    server.process.spawn()
    question = updates.user_says(PROBE_USER, QUESTIONS[0])
    while True:
        if not server.process.alive():
            raise RuntimeError(f"{server.label} exited:\n{server.process.log.read_text()[-3000:]}")
        try:
            response = await post(client, server.url, question)
            break
        except httpx.TransportError:
            await asyncio.sleep(0.01)
    if response.status_code != 200:
        raise RuntimeError(f"{server.label}: first question answered {response.status_code}")
    await run_answer(client, response, fake.api_url)

    async def answered() -> bool:
        return (await fake.count())[0] >= 1

    await until(answered, f"{server.label}'s first answer", 60)
    server.launch_cpu_s = server.process.cpu_s()
    _, last_at = await fake.count()
    assert last_at is not None
    server.launch_s = last_at - server.process.spawned_at
    await asyncio.sleep(1.0)  # settle (background start-up calls) before the idle reading
    server.rss_idle = server.process.rss_mb()


# ----- one round -------------------------------------------------------------------------------


async def post(client: httpx.AsyncClient, url: str, update: dict[str, Any]) -> httpx.Response:
    """POST an update; a kept-alive connection the server closed meanwhile is retried, as
    Telegram redelivers (the update id makes it one update). A refused connection is not."""
    for attempt in range(3):
        try:
            return await client.post(
                url,
                content=json.dumps(update),
                headers={
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": SECRET,
                },
            )
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


async def run_answer(client: httpx.AsyncClient, response: httpx.Response, api: str) -> None:
    """Run the Bot API method a webhook answered with, if any, as Telegram does."""
    if response.headers.get("content-type", "").startswith("application/json"):
        call = response.json()
        method = call.pop("method")
        for attempt in range(3):  # a kept-alive connection the fake closed meanwhile: again
            try:
                ran = await client.post(f"{api}{TOKEN}/{method}", json=call)
                break
            except (httpx.ReadError, httpx.RemoteProtocolError, httpx.WriteError):
                if attempt == 2:
                    raise
        if ran.status_code != 200:
            raise RuntimeError(f"the webhook's method failed: {ran.text}")


async def load(
    client: httpx.AsyncClient, url: str, updates: list[dict[str, Any]], concurrency: int, api: str
) -> tuple[float, list[float], int]:
    """Post the updates, `concurrency` in flight; returns (time started, latencies in s, how
    many were answered 503 and delivered again a second later, as Telegram would). A
    webhook answered with a Bot API method has it run at the fake Bot API `api`, as Telegram
    runs it (in this process, as it would be in Telegram's)."""
    queue = list(reversed(updates))
    latencies: list[float] = []
    redelivered: list[int] = []

    async def worker() -> None:
        while queue:
            update = queue.pop()
            for _ in range(REDELIVERIES):
                began = time.perf_counter()
                response = await post(client, url, update)
                latencies.append(time.perf_counter() - began)
                if response.status_code != 503:
                    break
                # Busy (a database pool or lock wait ran out): Telegram delivers it again later.
                redelivered.append(1)
                await asyncio.sleep(1.0)
            if response.status_code != 200:
                raise RuntimeError(f"webhook answered {response.status_code}")
            await run_answer(client, response, api)

    started = time.time()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return started, latencies, len(redelivered)


async def measure(
    server: Server,
    fake: FakeApi,
    client: httpx.AsyncClient,
    updates: list[dict[str, Any]],
    concurrency: int,
) -> dict[str, float]:
    """One measured batch: throughput up to the last reply, webhook latency."""
    await fake.reset()
    started, latencies, redelivered = await load(
        client, server.url, updates, concurrency, fake.api_url
    )
    previous, stable_since = -1, time.monotonic()
    while True:  # the replies may still be going out after the webhooks were answered
        count, last_at = await fake.count()
        if count != previous:
            previous, stable_since = count, time.monotonic()
        elif count >= len(updates) and time.monotonic() - stable_since > 0.5:
            break
        elif time.monotonic() - stable_since > 30:
            raise RuntimeError(f"{server.label}: {count} replies for {len(updates)} updates")
        await asyncio.sleep(0.05)
    answered: dict[int, int] = {}
    for message in await fake.messages():
        answered[message["chat_id"]] = answered.get(message["chat_id"], 0) + 1
    for update in updates:
        chat = update["message"]["chat"]["id"]
        if answered.get(chat, 0) < 1:
            raise RuntimeError(f"{server.label}: chat {chat} got no answer")
    assert last_at is not None
    latencies.sort()
    return {
        "rate": len(updates) / (last_at - started),
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
        "503": float(redelivered),
    }


def profiler(server: Server, work: Path, name: str) -> subprocess.Popen[bytes] | None:
    """py-spy sampling the bot (not the echo bot) until interrupted; raw stacks in `work`."""
    if server.label == "echo" or server.process.popen is None:
        return None
    out = work / f"profile-{server.label}-{name}.txt"
    print("profile:", out, flush=True)
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "py-spy"),
            "record",
            "-p",
            str(server.process.popen.pid),
            "-r",
            "100",
            "-f",
            "raw",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


# ----- the run ---------------------------------------------------------------------------------


async def create_pg() -> tuple[str, str]:
    name = f"cdsbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return name, PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"


async def drop_pg(name: str) -> None:
    admin = await asyncpg.connect(PG)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def main(args: argparse.Namespace) -> dict[str, Any]:
    # Bytecode as an installed package (and the image) has it: this environment may set
    # PYTHONDONTWRITEBYTECODE, and then every launch would compile the edited modules again.
    compileall = [sys.executable, "-m", "compileall", "-q", "bot", "bench", "tests"]
    await asyncio.to_thread(subprocess.run, compileall, cwd=ROOT)
    work = Path(tempfile.mkdtemp(prefix="cdsbot-bench-"))
    pg_name, pg_url = await create_pg()
    sqlite_dir = work / "sqlite"
    sqlite_dir.mkdir()
    sqlite_url = f"sqlite+aiosqlite:///{sqlite_dir / 'cdsbot.db'}"
    fake = FakeApi(work)
    servers: list[Server] = []
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    client = httpx.AsyncClient(timeout=60, limits=limits)
    updates = Updates()
    try:
        await fake.ready()
        for url, folder in ((pg_url, work / "pg"), (sqlite_url, sqlite_dir)):
            folder.mkdir(exist_ok=True)
            await prepare_database(url, folder, args.people)
        servers = [
            echo(fake, work, args.concurrency),
            ours("postgresql", pg_url, work / "pg", fake, work),
            ours("sqlite", sqlite_url, sqlite_dir, fake, work),
        ]
        servers = [s for s in servers if s.label in args.servers.split(",")]
        for turn in range(args.launches):  # one at a time, alternating between the servers
            for server in servers:
                for kind in ("first start", "restart"):
                    if kind == "first start" and server.data_dir is not None:
                        shutil.rmtree(server.data_dir / "cache", ignore_errors=True)
                    await launch(server, fake, updates, client)
                    timing = (server.launch_s, server.launch_cpu_s)
                    (server.first_starts if kind == "first start" else server.restarts).append(
                        timing
                    )
                    print(
                        f"{server.label} {kind}: launch → first KB answer {timing[0]:.2f} s "
                        f"({timing[1]:.2f} s CPU), RSS idle {server.rss_idle:.0f} MB, "
                        f"load {os.getloadavg()[0]:.1f}",
                        flush=True,
                    )
                    if turn < args.launches - 1 or kind == "first start":
                        server.process.stop()
        for server in servers:
            results[server.label] = {mix: [] for mix in MIXES if mix in args.mixes.split(",")}
        for round_number in range(args.rounds):
            for mix, (_, texts) in MIXES.items():
                if mix not in args.mixes.split(","):
                    continue
                for server in servers:
                    batch = [
                        updates.user_says(FIRST_USER + i % args.people, texts[i % len(texts)])
                        for i in range(args.updates + args.warmup)
                    ]
                    updates.reset()
                    await measure(server, fake, client, batch[: args.warmup], args.concurrency)
                    spy = profiler(server, work, f"{mix}-{round_number}") if args.profile else None
                    figures = await measure(
                        server, fake, client, batch[args.warmup :], args.concurrency
                    )
                    if spy is not None:
                        spy.send_signal(signal.SIGINT)
                        spy.wait(30)
                    results[server.label][mix].append(figures)
                    if mix == "all":
                        server.rss_loaded.append(server.process.rss_mb())
                    print(
                        round_number,
                        mix,
                        server.label,
                        {k: round(v, 1) for k, v in figures.items()},
                        flush=True,
                    )
    finally:
        await client.aclose()
        for server in servers:
            server.process.stop()
        await fake.close()
        await drop_pg(pg_name)
    return {
        "load": list(os.getloadavg()),
        "figures": {
            label: {
                mix: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
                for mix, runs in by_mix.items()
            }
            for label, by_mix in results.items()
        },
        "servers": {
            s.label: {
                "first_start": statistics.median(wall for wall, _ in s.first_starts),
                "first_start_cpu": statistics.median(cpu for _, cpu in s.first_starts),
                "launch": statistics.median(wall for wall, _ in s.restarts),
                "launch_cpu": statistics.median(cpu for _, cpu in s.restarts),
                "rss_idle": s.rss_idle,
                "rss_first": s.rss_loaded[0],
                "rss_last": s.rss_loaded[-1],
            }
            for s in servers
        },
    }


def section(summary: dict[str, Any], args: argparse.Namespace) -> str:
    """The BENCHMARKS.md section."""
    figures, servers = summary["figures"], summary["servers"]
    echo_figures = figures["echo"]
    rows, verdicts = [], []
    for mix, (title, _) in MIXES.items():
        for label in ("echo", "postgresql", "sqlite"):
            ratio = figures[label][mix]["rate"] / echo_figures[mix]["rate"]
            name = "PTB echo bot" if label == "echo" else f"`cdsbot serve`, {label}"
            rows.append(_row(f"{title}: {name}", figures[label][mix], ratio))
            if label != "echo":
                verdicts.append(
                    f"{title} on {label}: {ratio:.2f} ({'met' if ratio >= 0.5 else 'NOT met'})"
                )
    process_rows = []
    for label in ("echo", "postgresql", "sqlite"):
        s = servers[label]
        name = "PTB echo bot" if label == "echo" else f"`cdsbot serve`, {label}"
        process_rows.append(
            f"| {name} | {s['first_start']:.2f} s ({s['first_start_cpu']:.2f} s CPU) "
            f"| {s['launch']:.2f} s ({s['launch_cpu']:.2f} s CPU) "
            f"| {s['rss_idle']:.0f} MB | {s['rss_first']:.0f} MB | {s['rss_last']:.0f} MB |"
        )
    worst_rss = max(servers[label]["rss_last"] for label in ("postgresql", "sqlite"))
    worst_launch = max(servers[label]["launch"] for label in ("postgresql", "sqlite"))
    worst_first = max(servers[label]["first_start"] for label in ("postgresql", "sqlite"))
    load = ", ".join(f"{x:.1f}" for x in summary["load"])
    table, processes = "\n".join(rows), "\n".join(process_rows)
    mixed_total = args.rounds * (args.updates + args.warmup)
    processes_head = (
        "| process | first start → first knowledge-base answer | restart → first answer "
        f"| RSS idle | RSS after the first mixed round | RSS after {mixed_total:,} mixed updates |"
    )
    return f"""{START}
## Telegram webhook throughput (`bench/bench_channels.py`)

Machine: {os.cpu_count()} cores (`nproc`), {platform.processor() or platform.machine()},
Python {platform.python_version()}, PostgreSQL on the same machine. Date:
{date.today().strftime("%d/%m/%Y")}. The machine is shared: other engineers' tests and benchmarks
ran at the same time, so single figures are noisy; ratios are of medians measured in one run.
Separate processes, as deployed: the bot (`cdsbot serve`, Telegram webhook mode, or the echo bot:
a python-telegram-bot 22 `Application` whose webhook route queues the update and answers at once,
`bench/ptb_echo.py`), the fake Bot API (`tests.fakes.telegram_api`) and the load generator.
{args.people} returning (registered) users, {args.concurrency} updates in flight, {args.updates}
updates per round after {args.warmup} warm-up updates, median of {args.rounds} alternating rounds.
Throughput: updates / (first POST → last reply accepted by the fake Bot API), every person's
answer checked; an update answered 503 (busy) is posted again a second later, as Telegram
redelivers, and counted. Latency: webhook POST sent → answered (each delivery). On SQLite ours
answers a message whose reply is one plain message with that `sendMessage` in the webhook's
answer, which the load generator then runs at the fake Bot API as Telegram would
(`TELEGRAM_WEBHOOK_ANSWERS=auto`); on PostgreSQL `auto` means off (the pace is shared with the
other processes through the database, bot/scheduler/shared_pace.py), so it sends every reply
through PTB before answering, as the echo bot sends after answering.

| server | updates/s | POST→answer p50 | p99 | of echo | answered 503 (median) |
|---|---|---|---|---|---|
{table}

Target ≥ 0.50 of the echo bot — {"; ".join(verdicts)}.

{processes_head}
|---|---|---|---|---|---|
{processes}

Launch: medians of {args.launches} first starts (no DATA_DIR/cache: the knowledge base's index is
built) and {args.launches} restarts (the index read back), wall time from spawning the process
to the fake Bot API accepting the answer (CPU time of the process in brackets: the machine's
load stretches the wall time, not the CPU time). Load average (1, 5, 15 min) at the end of the
run: {load}. Targets: RSS ≤ 250 MB after 2,000 mixed updates (worst {worst_rss:.0f} MB:
{"met" if worst_rss <= 250 else "NOT met"}); launch → first knowledge-base answer ≤ 2 s (worst
restart {worst_launch:.2f} s: {"met" if worst_launch <= 2 else "NOT met"}; worst first start
{worst_first:.2f} s: {"met" if worst_first <= 2 else "NOT met"}).
{END}"""


def _row(name: str, figures: dict[str, float], ratio: float) -> str:
    return (
        f"| {name} | {figures['rate']:.0f} | {figures['p50']:.0f} ms "
        f"| {figures['p99']:.0f} ms | {ratio:.2f} | {figures['503']:.0f} |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--launches", type=int, default=3, help="first starts and restarts")
    parser.add_argument("--servers", default="echo,postgresql,sqlite", help="a subset to try")
    parser.add_argument("--mixes", default="menu,all", help="a subset to try")
    parser.add_argument("--profile", action="store_true", help="py-spy the bots (not echo)")
    parser.add_argument("--write", action="store_true")
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result, indent=1))
    text = section(result, arguments)
    print(text)
    if arguments.write:
        replace_section(text, START, END)
