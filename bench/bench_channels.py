"""Telegram webhook throughput: our bot next to a bare python-telegram-bot echo bot, same path.

One process, PostgreSQL, webhook mode over loopback. A load generator (its own thread and event
loop) posts Telegram updates with the secret header to `/tg/hook`, `--concurrency` at a time (as
Telegram does with `max_connections`); each webhook answers after its reply went out through the
fake Bot API (tests/fakes/telegram_api.py, its own thread). Measured per server: updates handled
per second and the handling latency (POST sent → answer received), p50 and p99.

- "echo": a FastAPI route that checks the secret, parses `Update.de_json` and awaits
  `bot.send_message(chat, text)` — the least a PTB bot can do on this path.
- "ours": `bot.server.create_app` in Telegram webhook mode: secret check, update → event, dedup
  claim, per-person lock, profile and conversation state from PostgreSQL, the handler (`/menu`,
  and free-text questions answered from the knowledge base), state saved, reply rendered as HTML
  with an inline keyboard and sent.

Rounds alternate echo/ours so that both see the same machine load; medians are reported.
Run: `.venv/bin/python bench/bench_channels.py [--updates 1500] [--rounds 3] [--write]`
(PostgreSQL from TEST_POSTGRES_URL). `--write` replaces the channels section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from fastapi import FastAPI, Request, Response  # noqa: E402
from telegram import Bot, Update  # noqa: E402
from telegram.request import HTTPXRequest  # noqa: E402

from bench.benchdoc import replace_section  # noqa: E402
from bot.app import BotApp  # noqa: E402
from bot.config import Settings, get_settings  # noqa: E402
from bot.server import create_app  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from tests.fakes.serve import bound_socket, serve_here  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "123456:BENCH-token"
SECRET = "bench-secret"
START, END = "<!-- channels:start -->", "<!-- channels:end -->"
MESSAGES = ["/menu", "VNeID mức 2 là gì?", "/menu", "Cách đặt mật khẩu an toàn"]
MIXES = {"all": "`/menu` and knowledge-base questions", "menu": "`/menu` only"}


def echo_app(bot: Bot) -> FastAPI:
    """The bare PTB echo bot on the same webhook path."""
    app = FastAPI()

    @app.post("/tg/hook")
    async def hook(request: Request) -> Response:
        if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != SECRET:
            return Response(status_code=403)
        update = Update.de_json(await request.json(), bot)
        if update.message and update.message.text:
            await bot.send_message(update.message.chat.id, update.message.text)
        return Response(status_code=200)

    return app


def load(url: str, updates: list[dict[str, Any]], concurrency: int) -> tuple[float, list[float]]:
    """Post every update from a separate thread; returns (seconds, latencies)."""
    result: dict[str, Any] = {}

    async def run() -> None:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        for update in updates:
            queue.put_nowait(update)
        latencies: list[float] = []
        limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:

            async def worker() -> None:
                while not queue.empty():
                    update = queue.get_nowait()
                    began = time.perf_counter()
                    response = await client.post(
                        url,
                        content=json.dumps(update),
                        headers={
                            "Content-Type": "application/json",
                            "X-Telegram-Bot-Api-Secret-Token": SECRET,
                        },
                    )
                    latencies.append(time.perf_counter() - began)
                    if response.status_code != 200:
                        raise RuntimeError(f"webhook answered {response.status_code}")

            began = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(concurrency)))
            result["seconds"] = time.perf_counter() - began
        result["latencies"] = latencies

    thread = threading.Thread(target=lambda: asyncio.run(run()))
    thread.start()
    thread.join()
    if "seconds" not in result:
        raise RuntimeError("load generator failed")
    return result["seconds"], result["latencies"]


def make_updates(
    fake: FakeTelegram, count: int, people: int, offset: int, messages: list[str]
) -> list[dict[str, Any]]:
    """Updates from `people` private chats, round robin."""
    return [
        fake.user_says(1_000_000 + offset + i % people, messages[i % len(messages)])
        for i in range(count)
    ]


async def measure(
    serve: Callable[[], Any],
    fake: FakeTelegram,
    updates: list[dict[str, Any]],
    concurrency: int,
    sock: Any,
) -> dict[str, float]:
    """Serve an app in this loop while the load thread posts the updates."""
    async with serve_here(serve(), sock) as base:
        seconds, latencies = await asyncio.to_thread(load, f"{base}/tg/hook", updates, concurrency)
    replied = {m["chat_id"] for m in fake.messages if m["method"] == "sendMessage"}
    if replied != {u["message"]["chat"]["id"] for u in updates} or len(fake.messages) < len(
        updates
    ):
        raise RuntimeError(f"{len(fake.messages)} replies for {len(updates)} updates")
    fake.reset()
    latencies.sort()
    return {
        "rate": len(updates) / seconds,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    name = f"cdsbot_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    fake = FakeTelegram(TOKEN).start()
    results: dict[str, list[dict[str, float]]] = {"echo": [], "menu": [], "all": []}
    try:
        await asyncio.to_thread(upgrade, url)
        for round_number in range(args.rounds):
            for kind in results:
                sock = bound_socket()
                port = sock.getsockname()[1]
                settings: Settings = get_settings(
                    _env_file=None,
                    database_url=url,
                    data_dir=Path("/tmp/cdsbot-bench"),
                    telegram_bot_token=TOKEN,
                    telegram_api_base_url=fake.base_url,
                    telegram_webhook_url=f"http://127.0.0.1:{port}/tg/hook",
                    telegram_webhook_secret=SECRET,
                    scheduler_enabled=False,
                    log_level="WARNING",
                )
                messages = MESSAGES if kind == "all" else ["/menu"]
                updates = make_updates(
                    fake, args.updates, args.people, offset=round_number * 10_000, messages=messages
                )
                warm = make_updates(
                    fake, 100, args.people, offset=round_number * 10_000 + 5000, messages=messages
                )
                if kind == "echo":
                    bot = Bot(  # the connection pool ours uses (PTB's default is one connection)
                        TOKEN,
                        base_url=fake.base_url,
                        request=HTTPXRequest(connection_pool_size=64, pool_timeout=10.0),
                    )
                    serve = partial(echo_app, bot)
                    await measure(serve, fake, warm, args.concurrency, sock)
                    results[kind].append(
                        await measure(serve, fake, updates, args.concurrency, bound_socket())
                    )
                    await bot.shutdown()
                else:
                    app = BotApp.build(settings)
                    try:
                        await app.services.units.import_csv(ROOT / "bot/demo/units.csv")
                        serve = partial(create_app, settings, bot=app)
                        await measure(serve, fake, warm, args.concurrency, sock)
                        results[kind].append(
                            await measure(serve, fake, updates, args.concurrency, bound_socket())
                        )
                    finally:
                        await app.close()
                print(kind, {k: round(v, 1) for k, v in results[kind][-1].items()}, flush=True)
    finally:
        fake.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    summary = {
        kind: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for kind, runs in results.items()
    }
    return summary


def section(summary: dict[str, Any], args: argparse.Namespace) -> str:
    """The BENCHMARKS.md section."""
    echo = summary["echo"]
    rows = [_row("bare python-telegram-bot echo bot", echo)]
    verdicts = []
    for mix in ("menu", "all"):
        ratio = summary[mix]["rate"] / echo["rate"]
        rows.append(_row(f"Trợ lý, {MIXES[mix]}", summary[mix], ratio))
        verdicts.append(
            f"{MIXES[mix]}: {ratio * 100:.0f} % ({'met' if ratio >= 0.5 else 'NOT met'})"
        )
    table = "\n".join(rows)
    return f"""{START}
## Telegram webhook throughput (`bench/bench_channels.py`)

Machine: {os.cpu_count()} cores (`nproc`), {platform.processor() or platform.machine()},
Python {platform.python_version()}, PostgreSQL on the same machine. Date:
{date.today().strftime("%d/%m/%Y")}. One process: the server (our app, or the echo bot) served by
uvicorn, the fake Bot API and the load generator each in their own thread. {args.updates} updates
per round from {args.people} people, {args.concurrency} in flight, median of {args.rounds}
alternating rounds. Latency: webhook POST sent → answered (the reply already accepted by the Bot
API). Every run checks that each update got its reply.

| server | updates/s | p50 latency | p99 latency | of echo |
|---|---|---|---|---|
{table}

Target ≥ 50 % of the echo bot's throughput — {"; ".join(verdicts)}.
{END}"""


def _row(name: str, figures: dict[str, float], ratio: float = 1.0) -> str:
    return (
        f"| {name} | {figures['rate']:.0f} | {figures['p50']:.0f} ms "
        f"| {figures['p99']:.0f} ms | {ratio * 100:.0f} % |"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true")
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    text = section(result, arguments)
    print(text)
    if arguments.write:
        replace_section(text, START, END)
