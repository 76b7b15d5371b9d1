"""Scale-out benchmark: `cdsbot serve --workers N` for N = 1, 2, 4 on one PostgreSQL, the web
chat as people use it, and a broadcast sent by three sender processes sharing one platform rate.

Every part runs in processes of its own: the fake Telegram Bot API (tests/fakes/telegram_api.py),
the bot's workers, and this load generator. Reported:

- webhook throughput: `/menu` updates from `--people` returning people with 64 in flight,
  updates per second, and its ratio to one process;
- web-chat throughput: 16 concurrent clients sending `/menu` for `--seconds`, requests per
  second, p50 latency, and the ratio to one process;
- the web chat of a default installation (`make run`: SQLite, demo data, default settings): 16
  registered clients asking knowledge-base questions and /menu, then declined questions:
  requests per second, p50, p99 and the server's CPU per request;
- web-chat conversations: 16 clients each opening new sessions and going through /start,
  consent, registration, two knowledge-base questions, a practice quiz and /menu, on SQLite
  (one process) and PostgreSQL (1, 2, 4 processes): requests per second, p50 and p99;
- the broadcast: 3 × `cdsbot worker --no-sweep` sending `--messages` pushes (`--rounds` times)
  with the overall rate set to `--rate`, the platform's limit (the fake enforces it in every
  one-second window and answers 429 above it): the sustained rate (median of whole seconds,
  first and last left out) as a share of that rate, the busiest second, 429s.

Run: `.venv/bin/python bench/bench_scaleout.py [--people 400] [--seconds 10] [--messages 2000]
[--rate 200] [--rounds 3] [--only serve|web|broadcast] [--alternate TREE]` (PostgreSQL from
TEST_POSTGRES_URL; `--alternate` runs the broadcast rounds alternately with the code of another
tree, e.g. `git archive OLD | tar -x -C /tmp/old`, each at its own migration head).
Figures go to docs/BENCHMARKS.md (a full run only).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from collections import Counter
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
from tests.helpers.server import free_port  # noqa: E402
from tests.scheduler.helpers import many_people, wait_until  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
START, END = "<!-- bench_scaleout:start -->", "<!-- bench_scaleout:end -->"
FIRST_CHAT = 500_000


def _python(*args: str) -> list[str]:
    return [sys.executable, *args]


def spawn(
    command: list[str], env: dict[str, str], log: Path, cwd: Path = ROOT
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


async def until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(900):
            if process.poll() is not None:
                raise SystemExit(f"process exited: {process.args}")
            try:
                if (await client.get(url)).status_code < 500:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"{url} did not come up")


def bot_env(db_url: str, fake_url: str, data: Path, **extra: str) -> dict[str, str]:
    return dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        DATABASE_URL=db_url,
        DATA_DIR=str(data),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"{fake_url}/bot",
        TELEGRAM_WEBHOOK_SECRET=SECRET,
        LOG_LEVEL="WARNING",
        WEB_SESSIONS_PER_CLIENT="0",
        **extra,
    )


async def webhook_rate(port: int, people: int, per_person: int) -> float:
    """Updates per second through the webhook, 64 in flight."""
    users = FakeTelegram(TOKEN)  # builds updates only
    updates = [
        users.user_says(FIRST_CHAT + n % people, "/menu") for n in range(people * per_person)
    ]
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    gate = asyncio.Semaphore(64)
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:

        async def post(update: dict[str, Any]) -> None:
            async with gate:
                body = json.dumps(update)
                response = await client.post(
                    f"http://127.0.0.1:{port}/tg/hook", content=body, headers=headers
                )
                response.raise_for_status()

        started = time.perf_counter()
        await asyncio.gather(*(post(update) for update in updates))
        return len(updates) / (time.perf_counter() - started)


async def web_rate(port: int, seconds: float, clients: int = 16) -> tuple[float, float]:
    """Requests per second and p50 latency (ms) of `clients` web-chat clients."""
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        tokens = [
            (await client.post("/api/chat/sessions")).json()["session"] for _ in range(clients)
        ]
        stop_at = time.perf_counter() + seconds

        async def one(token: str) -> None:
            headers = {"Authorization": f"Bearer {token}"}
            while time.perf_counter() < stop_at:
                began = time.perf_counter()
                response = await client.post(
                    "/api/chat/messages", json={"text": "/menu"}, headers=headers
                )
                response.raise_for_status()
                latencies.append(time.perf_counter() - began)

        started = time.perf_counter()
        await asyncio.gather(*(one(token) for token in tokens))
        elapsed = time.perf_counter() - started
    return len(latencies) / elapsed, statistics.median(latencies) * 1000


EXAMPLES = ROOT / "bot/content/examples/devset.jsonl"
QUESTIONS = [
    json.loads(line)["q"]
    for line in EXAMPLES.read_text(encoding="utf-8").splitlines()
    if line.strip()
]


def _first_action(replies: list[dict[str, Any]], label: str | None = None) -> str | None:
    """The action of the newest button whose label contains `label` (else the first button of
    the last reply that has buttons)."""
    for reply in reversed(replies):
        for row in reply.get("buttons") or []:
            for button in row:
                if label is None or label in button["label"]:
                    return str(button["action"])
    return None


async def web_flow_rate(port: int, seconds: float, clients: int = 16) -> dict[str, Any]:
    """What people do in the web chat, `clients` of them at once for `seconds`: each opens a
    new session, sends /start, consents, registers as a citizen, asks two knowledge-base
    questions, opens a practice quiz and answers every question (first choice), then /menu;
    then again with a new session. Requests per second, p50 and p99 (ms) over all requests,
    and the p50 of each kind."""
    base = f"http://127.0.0.1:{port}"
    kinds: dict[str, list[float]] = {}
    done = 0
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        stop_at = time.perf_counter() + seconds

        async def timed(kind: str, call: Any) -> Any:
            began = time.perf_counter()
            response = await call
            response.raise_for_status()
            kinds.setdefault(kind, []).append(time.perf_counter() - began)
            return response.json()

        async def person(number: int) -> None:
            nonlocal done
            turn = 0
            while time.perf_counter() < stop_at:
                session = await timed("session", client.post("/api/chat/sessions"))
                headers = {"Authorization": f"Bearer {session['session']}"}

                async def say(
                    kind: str, headers: dict[str, str] = headers, **body: str
                ) -> list[dict[str, Any]]:
                    answer = await timed(
                        kind, client.post("/api/chat/messages", json=body, headers=headers)
                    )
                    return list(answer["replies"])

                replies = await say("start", text="/start")
                action = _first_action(replies, "Đồng ý")
                replies = await say("consent", action=action or "")
                action = _first_action(replies, "Người dân")
                await say("register", action=action or "")
                for n in range(2):
                    question = QUESTIONS[(number * 7 + turn * 2 + n) % len(QUESTIONS)]
                    await say("question", text=question)
                replies = await say("quiz_open", text="/kiemtra")
                replies = await say("quiz_start", action=_first_action(replies) or "")
                for _ in range(40):  # a practice set's questions, then its result
                    action = _first_action(replies)
                    if action is None or not action.startswith("quiz:"):
                        break
                    replies = await say("quiz_answer", action=action)
                await say("menu", text="/menu")
                turn += 1
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(person(n) for n in range(clients)))
        elapsed = time.perf_counter() - started
    every = sorted(x for values in kinds.values() for x in values)
    return {
        "requests_per_s": len(every) / elapsed,
        "p50_ms": every[len(every) // 2] * 1000,
        "p99_ms": every[int(len(every) * 0.99)] * 1000,
        "conversations": done,
        "by_kind_p50_ms": {
            kind: round(statistics.median(values) * 1000, 1) for kind, values in kinds.items()
        },
        "by_kind_count": {kind: len(values) for kind, values in kinds.items()},
    }


DECLINED = [
    "thời tiết hôm nay thế nào",
    "giá vàng bao nhiêu một chỉ",
    "đội bóng nào vô địch năm nay",
    "nấu phở bò thế nào cho ngon",
    "xe máy của tôi bị hỏng bugi",
    "cách trồng cà phê cho năng suất",
]


async def web_default_rate(
    port: int, pid: int, seconds: float, clients: int = 16
) -> dict[str, dict[str, float]]:
    """The web chat as an outside tester meets a default installation: 16 clients, each with
    a session of its own (from an address of its own, behind the local proxy) and registered,
    asking knowledge-base questions and /menu in turn, then questions the bot declines (each is
    logged). Requests per second, p50 and p99 (ms), and the server's CPU per request (ms)."""
    base = f"http://127.0.0.1:{port}"
    results: dict[str, dict[str, float]] = {}
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as client:
        heads = []
        for n in range(clients):
            address = {"X-Forwarded-For": f"198.51.100.{n + 1}"}
            session = (await client.post("/api/chat/sessions", headers=address)).json()
            heads.append({"Authorization": f"Bearer {session['session']}"})
            replies = await _say(client, heads[-1], text="/start")
            replies = await _say(client, heads[-1], action=_first_action(replies, "Đồng ý") or "")
            await _say(client, heads[-1], action=_first_action(replies, "Người dân") or "")
        for kind in ("questions_and_menu", "declined"):
            latencies: list[float] = []
            stop_at = time.perf_counter() + seconds
            people = [
                _web_person(client, heads[n], n, kind, stop_at, latencies) for n in range(clients)
            ]
            cpu = _cpu_seconds_of([pid])
            started = time.perf_counter()
            await asyncio.gather(*people)
            elapsed = time.perf_counter() - started
            cpu = _cpu_seconds_of([pid]) - cpu
            latencies.sort()
            results[kind] = {
                "requests_per_s": len(latencies) / elapsed,
                "p50_ms": latencies[len(latencies) // 2] * 1000,
                "p99_ms": latencies[int(len(latencies) * 0.99)] * 1000,
                "cpu_ms_per_request": 1000 * cpu / len(latencies),
            }
    return results


async def _web_person(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    number: int,
    kind: str,
    stop_at: float,
    latencies: list[float],
) -> None:
    """One client of `web_default_rate` until `stop_at`."""
    turn = 0
    while time.perf_counter() < stop_at:
        if kind == "declined":
            text = f"{DECLINED[(number + turn) % len(DECLINED)]} ({number}.{turn})"
        elif turn % 2:
            text = "/menu"
        else:
            text = QUESTIONS[(number * 31 + turn) % len(QUESTIONS)]
        began = time.perf_counter()
        await _say(client, headers, text=text)
        latencies.append(time.perf_counter() - began)
        turn += 1


async def _say(client: httpx.AsyncClient, headers: dict[str, str], **body: str) -> Any:
    response = await client.post("/api/chat/messages", json=body, headers=headers)
    response.raise_for_status()
    return response.json()["replies"]


async def web_default(data: Path, seconds: float) -> dict[str, dict[str, float]]:
    """`web_default_rate` against `cdsbot serve` as `make run` starts it: SQLite in DATA_DIR,
    the demo data loaded, every other setting at its default (scheduler on, INFO logs, the
    per-client session quota)."""
    folder = data / "default"
    folder.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT), DATA_DIR=str(folder), TELEGRAM_BOT_TOKEN="")
    for command in (["db", "upgrade"], ["demo", "load"]):
        await asyncio.to_thread(
            subprocess.run,
            _python("-c", "from bot.entry import main; main()", *command),
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
    port = free_port()
    server = spawn(
        _python("-c", "from bot.entry import main; main()", "serve"),
        dict(env, WEB_PORT=str(port)),
        data / "web-default.log",
    )
    try:
        await until_up(f"http://127.0.0.1:{port}/healthz", server)
        await web_default_rate(port, server.pid, 3.0)  # warm-up: content, index, model
        figures = await web_default_rate(port, server.pid, seconds)
        print("web default installation", figures, flush=True)
        return figures
    finally:
        stop(server)


async def broadcast_share(
    db_url: str,
    fake_url: str,
    data: Path,
    messages: int,
    rate: int,
    rounds: int = 1,
    alternate: Path | None = None,
) -> dict[str, Any]:
    """Three sender processes, `rounds` broadcasts one after the other, the fake enforcing
    `rate`; the median round's figures and every round's share. With `alternate` (the tree of
    another version of the code, e.g. a `git archive` of an older commit) the rounds alternate
    between it and this tree, each with the senders of its tree and the database at its tree's
    migration head, and the figures are given for each."""
    settings = get_settings(database_url=db_url, data_dir=data, _env_file=None)
    bot = BotApp.build(settings)
    trees = [ROOT] if alternate is None else [alternate, ROOT]
    shares: dict[Path, list[dict[str, Any]]] = {tree: [] for tree in trees}
    try:
        await many_people(bot, messages, first_chat=FIRST_CHAT + 100_000)
        broadcasts = bot.services.reminders.broadcasts
        plan = await broadcasts.plan("everyone")
        env = bot_env(
            db_url,
            fake_url,
            data,
            TELEGRAM_RATE_PER_SECOND=str(rate),
            SENDER_INTERVAL_SECONDS="0.2",
        )
        workers: list[subprocess.Popen[bytes]] = []
        for round_ in range(rounds * len(trees)):
            tree = trees[round_ % len(trees)]
            if len(trees) > 1 or not workers:
                for worker in workers:
                    stop(worker)
                await asyncio.to_thread(_migrate_to_head_of, tree, db_url)
                workers = [
                    spawn(
                        _python("-c", "from bot.entry import main; main()", "worker", "--no-sweep"),
                        dict(env, PYTHONPATH=str(tree)),
                        data / f"worker-{n}.log",
                        cwd=tree,
                    )
                    for n in range(3)
                ]
                await asyncio.sleep(8)  # the workers start (imports, first drain of nothing)
            try:
                async with httpx.AsyncClient(base_url=fake_url) as client:
                    await client.post("/_test/reset")
                    await client.post("/_test/config", json={"rate_limits": True})
                cpu = _cpu_seconds(workers)
                queued = await broadcasts.send(plan, f"Thông báo đo tốc độ {round_}", urgent=True)
                await wait_until(_done(broadcasts, queued.id), 600, "the broadcast")
                cpu = _cpu_seconds(workers) - cpu
                async with httpx.AsyncClient(base_url=fake_url) as client:
                    sent = (await client.get("/_test/messages")).json()
                    calls = (await client.get("/_test/calls")).json()
            except BaseException:
                for worker in workers:
                    stop(worker)
                raise
            shares[tree].append(_share(sent, calls, rate))
            shares[tree][-1]["sender_cpu_ms_per_message"] = round(1000 * cpu / len(sent), 2)
            print("broadcast", round_, tree, shares[tree][-1], flush=True)
            await asyncio.sleep(2)  # every token of the last round free again
        for worker in workers:
            stop(worker)
    finally:
        await bot.close()
    results = {str(tree): _median_round(found) for tree, found in shares.items()}
    return results[str(ROOT)] if alternate is None else results


def _cpu_seconds(processes: list[subprocess.Popen[bytes]]) -> float:
    """CPU time (user and system) the processes have used so far (Linux)."""
    return _cpu_seconds_of([process.pid for process in processes])


def _cpu_seconds_of(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def _median_round(shares: list[dict[str, Any]]) -> dict[str, Any]:
    middle = sorted(shares, key=lambda r: r["share"])[len(shares) // 2]
    return {**middle, "shares": [r["share"] for r in shares], "rounds": len(shares)}


def _migrate_to_head_of(tree: Path, db_url: str) -> None:
    """Bring the database to the migration head of the code in `tree` (down with this tree's
    migrations when that head is older)."""
    from alembic import command

    from bot.storage.migrate import alembic_config

    heads = subprocess.run(
        _python("-c", "from bot.storage.migrate import head_revisions as h; print(*h())"),
        cwd=tree,
        env=dict(os.environ, PYTHONPATH=str(tree)),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    if tree == ROOT:
        upgrade(db_url)
    else:
        (head,) = heads
        command.downgrade(alembic_config(db_url), head)


def _share(sent: list[dict[str, Any]], calls: list[dict[str, Any]], rate: int) -> dict[str, Any]:
    """The sustained rate of one broadcast (median of its whole seconds, the first and last
    left out), its share of `rate`, the busiest one-second window and the 429s."""
    per_second = Counter(int(m["at"]) for m in sent)
    seconds = sorted(per_second)[1:-1]
    sustained = statistics.median(per_second[s] for s in seconds) if seconds else 0.0
    times = sorted(m["at"] for m in sent)
    busiest, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        busiest = max(busiest, end - start + 1)
    return {
        "sustained": sustained,
        "share": sustained / rate,
        "busiest": busiest,
        "refused": sum(1 for c in calls if c["status"] == 429),
        "sent": len(sent),
    }


def _done(broadcasts: Any, broadcast_id: int) -> Any:
    async def check() -> bool:
        return bool((await broadcasts.progress_of(broadcast_id)).done)

    return check


async def main(args: argparse.Namespace, name: str, data: Path) -> dict[str, Any]:
    db_url = await _create_database(name)
    fake_port = free_port()
    fake = spawn(
        _python("-m", "tests.fakes.telegram_api", "--port", str(fake_port), "--token", TOKEN)
        + ["--overall-per-second", str(args.rate)],
        dict(os.environ, PYTHONPATH=str(ROOT)),
        data / "fake.log",
    )
    fake_url = f"http://127.0.0.1:{fake_port}"
    results: dict[str, Any] = {"workers": {}}
    try:
        await until_up(f"{fake_url}/_test/messages", fake)
        seed = BotApp.build(get_settings(database_url=db_url, data_dir=data, _env_file=None))
        await many_people(seed, args.people, first_chat=FIRST_CHAT)
        await seed.close()
        for workers in (1, 2, 4) if args.only in ("all", "serve") else ():
            port = free_port()
            env = bot_env(
                db_url,
                fake_url,
                data,
                WEB_PORT=str(port),
                TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}/tg/hook",
                SCHEDULER_ENABLED="false",
                TELEGRAM_RATE_PER_SECOND="100000",
                TELEGRAM_RATE_PER_CHAT="1000",
            )
            server = spawn(
                _python("-c", "from bot.entry import main; main()", "serve")
                + ["--workers", str(workers)],
                env,
                data / f"serve-{workers}.log",
            )
            try:
                await until_up(f"http://127.0.0.1:{port}/healthz", server)
                await asyncio.sleep(3 * workers)  # every worker up and warm
                await webhook_rate(port, args.people, 1)  # warm-up round
                hook = await webhook_rate(port, args.people, 2)
                web, p50 = await web_rate(port, args.seconds)
                results["workers"][workers] = {"webhook": hook, "web": web, "web_p50": p50}
                print(workers, results["workers"][workers], flush=True)
            finally:
                stop(server)
        if args.only in ("all", "web"):
            results["web_default"] = await web_default(data, args.seconds)
            results["web_flows"] = await web_flows(db_url, fake_url, data, args)
        if args.only in ("all", "broadcast"):
            # Its own database: the web-chat people of the parts above would be in "everyone",
            # and their messages wait to be read in the chat (or expire), so the broadcast
            # would never be done.
            results["broadcast"] = await broadcast_share(
                await _create_database(f"{name}_bc"),
                fake_url,
                data,
                args.messages,
                args.rate,
                args.rounds,
                args.alternate,
            )
            print(results["broadcast"], flush=True)
    finally:
        stop(fake)
        admin = await asyncpg.connect(PG)
        for database in (name, f"{name}_bc"):
            await admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        await admin.close()
    return results


async def _create_database(name: str) -> str:
    """Create and migrate a database on the bench's PostgreSQL; its SQLAlchemy URL."""
    admin = await asyncpg.connect(PG)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    await asyncio.to_thread(upgrade, url)
    return url


async def web_flows(
    db_url: str, fake_url: str, data: Path, args: argparse.Namespace
) -> dict[str, Any]:
    """`web_flow_rate` against `serve` on SQLite (one process) and on PostgreSQL with 1, 2 and
    4 processes."""
    sqlite_url = f"sqlite+aiosqlite:///{data / 'web.db'}"
    await asyncio.to_thread(upgrade, sqlite_url)
    results: dict[str, Any] = {}
    for name, url, workers in (
        ("sqlite", sqlite_url, 1),
        ("postgresql", db_url, 1),
        ("postgresql", db_url, 2),
        ("postgresql", db_url, 4),
    ):
        port = free_port()
        env = bot_env(url, fake_url, data, WEB_PORT=str(port), SCHEDULER_ENABLED="false")
        env["TELEGRAM_BOT_TOKEN"] = ""  # the web chat alone
        server = spawn(
            _python("-c", "from bot.entry import main; main()", "serve")
            + (["--workers", str(workers)] if workers > 1 else []),
            env,
            data / f"web-{name}-{workers}.log",
        )
        try:
            await until_up(f"http://127.0.0.1:{port}/healthz", server)
            await asyncio.sleep(3 * workers)  # every worker up
            await web_flow_rate(port, 5.0)  # warm-up: content, index, tokenizer in every worker
            figures = await web_flow_rate(port, args.seconds)
            results[f"{name}-{workers}"] = figures
            print("web flows", name, workers, figures, flush=True)
        finally:
            stop(server)
    return results


def section(results: dict[str, Any], args: argparse.Namespace) -> str:
    one = results["workers"][1]
    rows = "\n".join(
        f"| {n} | {r['webhook']:.0f} | {r['webhook'] / one['webhook']:.2f} | {r['web']:.0f} |"
        f" {r['web'] / one['web']:.2f} | {r['web_p50']:.0f} |"
        for n, r in results["workers"].items()
    )
    flows = "\n".join(
        f"| {name.replace('-', ' × ')} | {r['requests_per_s']:.0f} | {r['p50_ms']:.0f} |"
        f" {r['p99_ms']:.0f} | {r['conversations']} |"
        for name, r in results["web_flows"].items()
    )
    default = "\n".join(
        f"| {kind.replace('_', ' ')} | {r['requests_per_s']:.0f} | {r['p50_ms']:.0f} |"
        f" {r['p99_ms']:.0f} | {r['cpu_ms_per_request']:.1f} |"
        for kind, r in results["web_default"].items()
    )
    b = results["broadcast"]
    shares = ", ".join(f"{share:.0%}" for share in b["shares"])
    return f"""{START}
## Scale-out: `cdsbot serve --workers N` and three senders on one PostgreSQL

`bench/bench_scaleout.py`, {date.today():%d/%m/%Y}, {platform.machine()} with {os.cpu_count()} cores
shared with other work running at the same time (figures are from one run: compare the ratios,
not the absolute numbers). The fake Bot API, the bot's workers and the load generator are
separate processes; the database is one PostgreSQL.

Webhook: `/menu` from {args.people} returning people, 64 updates in flight. Web chat: 16
concurrent clients sending `/menu` for {args.seconds:.0f} s.

| processes | webhook updates/s | ratio | web chat requests/s | ratio | web chat p50 ms |
|---|---|---|---|---|---|
{rows}

Web chat as people use it: 16 clients at once, each opening a new session, `/start`, consent,
registering as a citizen, two knowledge-base questions, a practice quiz answered to the end,
`/menu`, then again ({args.seconds:.0f} s after a warm-up).

| database × processes | requests/s | p50 ms | p99 ms | conversations |
|---|---|---|---|---|
{flows}

Web chat on a default installation (`make run`: SQLite, demo data, every setting at its
default): 16 registered clients, each with its own session, for {args.seconds:.0f} s asking
knowledge-base questions and `/menu` in turn, then questions the bot declines (and logs).

| requests | requests/s | p50 ms | p99 ms | server CPU ms per request |
|---|---|---|---|---|
{default}

A broadcast to everyone ({b["sent"]} people, {args.messages} of them added for it) by 3 sender
processes (`cdsbot worker --no-sweep`) with `TELEGRAM_RATE_PER_SECOND={args.rate}` (the
platform's limit: the fake refuses anything above it in any second with 429), {b["rounds"]}
rounds: median sustained {b["sustained"]:.0f} messages/s = **{b["share"]:.0%} of the configured
rate** (rounds: {shares}; target ≥ 95 %), busiest second {b["busiest"]}, {b["refused"]} answered
429. The pace and the tokens are shared through PostgreSQL (`send_pace`, `send_token`).
{END}"""


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rate", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3, help="broadcasts (median reported)")
    parser.add_argument(
        "--only", choices=("all", "serve", "web", "broadcast"), default="all", help="a part alone"
    )
    parser.add_argument("--no-doc", action="store_true", help="print only")
    parser.add_argument(
        "--alternate",
        type=Path,
        default=None,
        help="broadcast: alternate rounds with the code in this tree (e.g. a git archive of an"
        " older commit); implies --no-doc",
    )
    arguments = parser.parse_args()
    database = f"scale_bench_{uuid.uuid4().hex[:8]}"
    folder = Path(f"/tmp/{database}")
    folder.mkdir()
    summary = asyncio.run(main(arguments, database, folder))
    if not arguments.no_doc and arguments.alternate is None and arguments.only == "all":
        replace_section(section(summary, arguments), START, END)
