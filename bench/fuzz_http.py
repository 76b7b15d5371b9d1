"""HTTP fuzz of the running server: the web chat API and all three webhooks, with a storage outage.

The server runs as its own process (`python -m bot.entry serve`) with Telegram, Zalo Bot and
Zalo OA in webhook mode against the fake platforms (tests/fakes, in this process), on a fresh
PostgreSQL database reached through a proxy on loopback (tests/helpers/tcp_proxy.py). Requests,
`--concurrency` at a time, drawn at random (seeded) from:

- web chat: new sessions, texts and button actions (valid, random Unicode, too long, control
  characters), bad or missing tokens, malformed JSON, wrong fields, pushed-message polls;
- each webhook with and without the right secret or signature: genuine updates, random JSON of
  any shape, shapes close to real updates with wrong types, Zalo OA events signed with an old or
  no timestamp;
- for every route: bodies over the size limit (declared, or streamed), JSON nested 100,000 deep,
  invalid UTF-8, bodies sent too slowly, headers sent too slowly; unknown paths, wrong methods.

For the middle part of the run the database is made to hang (the proxy stalls), then stopped (the
proxy refuses). Checked: no 5xx other than 503, and 503 only while storage is down; no traceback
in the server's log; the server's resident memory (RSS) at the end within 100 MB of its start.

Run: `.venv/bin/python bench/fuzz_http.py [--requests 10000] [--write]` (PostgreSQL from
TEST_POSTGRES_URL). `--write` replaces the fuzz section of docs/BENCHMARKS.md. The exit status is
0 when every check passed; `--json FILE` also writes the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402

from bench.benchdoc import replace_section  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from tests.fakes.telegram_api import FakeTelegram  # noqa: E402
from tests.fakes.zalo_bot_api import FakeZaloBot  # noqa: E402
from tests.fakes.zalo_oa_api import FakeZaloOa  # noqa: E402
from tests.helpers.server import free_port  # noqa: E402
from tests.helpers.tcp_proxy import FORWARD, REFUSE, STALL, FaultyProxy  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TG_TOKEN, TG_SECRET = "123456:FUZZ-token", "fuzz-telegram-secret"
ZB_TOKEN, ZB_SECRET = "2468:fuzz-zalo-bot", "fuzz-zalo-bot-secret"
START, END = "<!-- fuzz:start -->", "<!-- fuzz:end -->"
MAX_BYTES = 262_144
SLOW_S = 2.0  # REQUEST_BODY_SECONDS and REQUEST_HEADER_SECONDS of the fuzzed server
RECOVERY_S = 6.0
"""After storage is back, work already queued behind the dead database (a pooled connection being
opened, a statement in flight) may still fail for as long as the fuzzed server's time-outs allow:
connect 1 s + statement 2 s + 1 s client grace + pool 2 s. A 503 later than that is a failure."""
TG, ZB, OA, WEB = "/tg/hook", "/zb/hook", "/webhook/zalo-oa", "/api/chat/messages"
WORDS = [
    "VNeID",
    "mức 2",
    "đăng ký",
    "dịch vụ công",
    "/start",
    "/menu",
    "/kiemtra",
    "/decu",
    "/huy",
    "1",
    "2",
    "lừa đảo",
    "mật khẩu",
    "👩🏽‍💻",
    "e\u0301",
    "\x00",
    "\u202e",
    "<b>",
    "&amp;",
    "'; DROP TABLE users; --",
    "%s%n",
    "\ud7ff",
    "x" * 5000,
]


# ----- random payloads ------------------------------------------------------------------------


def random_text(rng: random.Random) -> str:
    """Text a person (or an attacker) might send."""
    kind = rng.random()
    if kind < 0.5:
        return " ".join(rng.choice(WORDS[:14]) for _ in range(rng.randint(1, 6)))
    if kind < 0.8:
        return (
            "".join(
                chr(rng.choice([rng.randint(32, 0x2FF), rng.randint(0, 0x10FFFF)]))
                for _ in range(rng.randint(0, 40))
            )
            .encode("utf-8", "replace")
            .decode("utf-8", "replace")
        )
    return rng.choice(WORDS)


def random_json(rng: random.Random, depth: int = 0) -> Any:
    """Any JSON value, nested a little."""
    roll = rng.random()
    if depth > 3 or roll < 0.5:
        return rng.choice(
            [
                None,
                True,
                False,
                rng.randint(-(2**63), 2**63),
                rng.random() * 1e6,
                random_text(rng),
                "",
                "x" * rng.randint(0, 300),
            ]
        )
    if roll < 0.75:
        return [random_json(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    keys = [
        "update_id",
        "message",
        "chat",
        "from",
        "id",
        "text",
        "event_name",
        "sender",
        "message_id",
        "callback_query",
        "data",
        "result",
        "timestamp",
        "follower",
        "type",
    ]
    return {
        rng.choice(keys + [random_text(rng)]): random_json(rng, depth + 1)
        for _ in range(rng.randint(0, 5))
    }


def mutate(value: Any, rng: random.Random) -> Any:
    """A real payload with one field replaced by a value of a random type."""
    if isinstance(value, dict) and value:
        key = rng.choice(list(value))
        copy = dict(value)
        copy[key] = mutate(value[key], rng) if rng.random() < 0.6 else random_json(rng)
        return copy
    return random_json(rng)


@dataclass
class Platforms:
    """The fake platforms and how to build genuine inbound payloads for them."""

    telegram: FakeTelegram
    zalo_bot: FakeZaloBot
    zalo_oa: FakeZaloOa
    update_ids: collections.abc.Iterator[int] = field(default_factory=lambda: iter(range(1, 10**9)))

    def telegram_update(self, rng: random.Random) -> dict[str, Any]:
        chat = rng.randint(1, 400)
        update_id = next(self.update_ids)
        user = {"id": chat, "is_bot": False, "first_name": "Lan"}
        if rng.random() < 0.2:
            return {
                "update_id": update_id,
                "callback_query": {
                    "id": str(update_id),
                    "from": user,
                    "chat_instance": "c",
                    "data": rng.choice(
                        ["menu:ask", "cmd:menu", "reg:consent:yes", "kb:t:x", "x" * 64]
                    ),
                    "message": {
                        "message_id": 1,
                        "date": int(time.time()),
                        "chat": {"id": chat, "type": "private"},
                        "text": "menu",
                    },
                },
            }
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "date": int(time.time()),
                "from": user,
                "chat": {"id": chat, "type": rng.choice(["private"] * 9 + ["group"])},
                "text": random_text(rng),
            },
        }

    def zalo_bot_event(self, rng: random.Random) -> dict[str, Any]:
        event = self.zalo_bot.user_says(f"z{rng.randint(1, 400)}", random_text(rng) or "hi")
        return {"ok": True, "result": event} if rng.random() < 0.5 else event

    def zalo_oa_event(self, rng: random.Random) -> dict[str, Any]:
        user = f"oa{rng.randint(1, 400)}"
        if rng.random() < 0.1:
            return self.zalo_oa.user_follows(user)
        return self.zalo_oa.user_says(user, random_text(rng) or "hi")

    def oa_headers(self, body: bytes, timestamp: str) -> dict[str, str]:
        return {
            "X-ZEvent-Signature": "mac=" + self.zalo_oa.signature(body, timestamp),
            "Content-Type": "application/json",
        }


# ----- one request ----------------------------------------------------------------------------


@dataclass
class Result:
    """What one request got."""

    category: str
    status: int  # 0: the connection was closed or reset without an answer
    seconds: float
    during_outage: bool
    ended: float = 0.0  # time.monotonic() when the answer came


class Fuzzer:
    """Builds and sends one random request at a time."""

    def __init__(self, base: str, port: int, platforms: Platforms, seed: int) -> None:
        self.base, self.port, self.platforms = base, port, platforms
        self.rng = random.Random(seed)
        self.sessions: list[str] = []

    async def one(self, client: httpx.AsyncClient) -> tuple[str, int]:
        """(category, status) of one random request; status 0 if the client could not finish it
        (the server closed the connection)."""
        roll = self.rng.random()
        category, send = next((name, send) for bound, name, send in self._kinds() if roll < bound)
        try:
            return category, await send(client)
        except httpx.TransportError:
            return category, 0

    def _kinds(self) -> list[tuple[float, str, Any]]:
        return [
            (0.30, "web", self._web),
            (0.50, "telegram", self._telegram),
            (0.65, "zalo_bot", self._zalo_bot),
            (0.82, "zalo_oa", self._zalo_oa),
            (0.92, "oversized", self._oversized),
            (0.935, "slow", lambda _: self._slow()),
            (1.01, "other", self._other),
        ]

    async def _web(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        if not self.sessions or rng.random() < 0.05:
            answer = await client.post(f"{self.base}/api/chat/sessions")
            if answer.status_code == 201:
                self.sessions.append(answer.json()["session"])
            return answer.status_code
        token = (
            rng.choice(self.sessions)
            if rng.random() < 0.85
            else rng.choice(["x", "null", "Bearer", rng.randbytes(24).hex()])
        )
        headers = {"Authorization": f"Bearer {token}"} if rng.random() < 0.95 else {}
        choice = rng.random()
        if choice < 0.1:
            return (await client.get(f"{self.base}{WEB}", headers=headers)).status_code
        if choice < 0.6:
            body: Any = {"text": random_text(rng)}
        elif choice < 0.8:
            body = {
                "action": rng.choice(
                    ["cmd:menu", "menu:ask", "reg:consent:yes", random_text(rng)[:64]]
                )
            }
        else:
            body = random_json(rng)
        content = json.dumps(body).encode() if rng.random() < 0.9 else random_bytes(rng)
        answer = await client.post(
            f"{self.base}{WEB}",
            content=content,
            headers={**headers, "Content-Type": "application/json"},
        )
        return answer.status_code

    async def _telegram(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        update = self.platforms.telegram_update(rng)
        roll = rng.random()
        body = update if roll < 0.6 else mutate(update, rng) if roll < 0.85 else random_json(rng)
        secret = TG_SECRET if rng.random() < 0.85 else rng.choice(["", "wrong", TG_SECRET + "x"])
        headers = {"Content-Type": "application/json"}
        if secret:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        answer = await client.post(f"{self.base}{TG}", content=json.dumps(body), headers=headers)
        return answer.status_code

    async def _zalo_bot(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        event = self.platforms.zalo_bot_event(rng)
        roll = rng.random()
        body = event if roll < 0.6 else mutate(event, rng) if roll < 0.85 else random_json(rng)
        headers = {"Content-Type": "application/json"}
        if rng.random() < 0.85:
            headers["X-Bot-Api-Secret-Token"] = ZB_SECRET if rng.random() < 0.95 else "wrong-one"
        answer = await client.post(f"{self.base}{ZB}", content=json.dumps(body), headers=headers)
        return answer.status_code

    async def _zalo_oa(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        event = self.platforms.zalo_oa_event(rng)
        roll = rng.random()
        if roll < 0.55:
            body = event
        elif roll < 0.75:
            body = {**mutate(event, rng), "timestamp": event["timestamp"]}
        elif roll < 0.85:
            old = str(int((time.time() - rng.choice([7200, 86400 * 30])) * 1000))
            body = {**event, "timestamp": old}
        else:
            body = random_json(rng)
        raw = json.dumps(body, ensure_ascii=False).encode()
        stamp = str(body.get("timestamp", "")) if isinstance(body, dict) else ""
        headers = self.platforms.oa_headers(raw, stamp)
        if rng.random() < 0.15:
            headers["X-ZEvent-Signature"] = rng.choice(["", "mac=" + "0" * 64, "garbage"])
        answer = await client.post(f"{self.base}{OA}", content=raw, headers=headers)
        return answer.status_code

    async def _oversized(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        path = rng.choice([TG, ZB, OA, WEB, "/api/chat/sessions", "/healthz", "/"])
        headers = {
            "Content-Type": "application/json",
            "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
            "X-Bot-Api-Secret-Token": ZB_SECRET,
            "Authorization": f"Bearer {self.sessions[0] if self.sessions else 'x'}",
        }
        roll = rng.random()
        if roll < 0.35:  # 100 MB announced, 1 KB sent
            return await raw_request(
                self.port,
                f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {100 * 2**20}\r\n\r\n".encode()
                + b"{" * 1024,
            )
        if roll < 0.55:  # JSON nested 100,000 deep (the signature, if any, made for it)
            body = b"[" * 100_000
            extra = self.platforms.oa_headers(body, "") if path == OA else {}
            return (
                await client.post(f"{self.base}{path}", content=body, headers={**headers, **extra})
            ).status_code
        if roll < 0.75:  # just over the limit
            body = json.dumps({"text": "a" * (MAX_BYTES + 10)}).encode()
            return (
                await client.post(f"{self.base}{path}", content=body, headers=headers)
            ).status_code
        if roll < 0.85:  # invalid UTF-8 and other non-JSON bytes
            return (
                await client.post(f"{self.base}{path}", content=random_bytes(rng), headers=headers)
            ).status_code

        # 4 MB streamed without a length: cut off at the limit (the answer may be lost in a reset)
        async def chunks() -> Any:
            for _ in range(64):
                yield b" " * 65536

        try:
            return (
                await client.post(f"{self.base}{path}", content=chunks(), headers=headers)
            ).status_code
        except httpx.TransportError:
            return 0

    async def _slow(self) -> int:
        if self.rng.random() < 0.5:  # a body that never completes
            return await raw_request(
                self.port,
                f"POST {WEB} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode(),
                wait=SLOW_S + 5,
            )
        return await raw_request(  # headers that never complete
            self.port, b"POST /tg/hook HTTP/1.1\r\nHost: x\r\nX-Slow: ", wait=SLOW_S + 5
        )

    async def _other(self, client: httpx.AsyncClient) -> int:
        rng = self.rng
        method, path = rng.choice(
            [
                ("GET", "/healthz"),
                ("GET", "/"),
                ("GET", "/openapi.json"),
                ("GET", "/nothing"),
                ("DELETE", WEB),
                ("PUT", TG),
                ("GET", TG),
                ("GET", "/media/x/y.png"),
                ("GET", "/" + quote(random_text(rng)[:50])),
                ("OPTIONS", WEB),
                ("HEAD", "/"),
            ]
        )
        try:
            return (await client.request(method, self.base + path)).status_code
        except httpx.InvalidURL:
            return (await client.get(self.base + "/healthz")).status_code


def random_bytes(rng: random.Random) -> bytes:
    """Bytes that are not valid JSON (or not valid UTF-8)."""
    return rng.choice(
        [
            b"\xff\xfe{",
            b'{"text": "\xc3\x28"}',
            b"",
            b"null",
            b"{'a': 1}",
            bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 200))),
        ]
    )


async def raw_request(port: int, data: bytes, *, wait: float = 10.0) -> int:
    """Send raw bytes; the status of the answer, or 0 if the server closed without one."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(4096), wait)
    except (ConnectionError, TimeoutError):
        return 0
    finally:
        writer.close()
    return int(answer[9:12]) if answer.startswith(b"HTTP/1.1 ") else 0


# ----- the run --------------------------------------------------------------------------------


def rss_mb(pid: int) -> float:
    """Resident memory of a process, in MB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def server_env(db_url: str, port: int, data_dir: Path, platforms: Platforms) -> dict[str, str]:
    """The environment of the fuzzed server: every channel in webhook mode, short limits."""
    base = f"http://127.0.0.1:{port}"
    oa = platforms.zalo_oa
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "ZALO_"))}
    env.update(
        {
            "DATABASE_URL": db_url,
            "DATA_DIR": str(data_dir),
            "WEB_PORT": str(port),
            "WEB_HOST": "127.0.0.1",
            "PUBLIC_BASE_URL": base,
            "LOG_LEVEL": "WARNING",
            "DB_CONNECT_TIMEOUT_SECONDS": "1",
            "DB_STATEMENT_TIMEOUT_SECONDS": "2",
            "DB_POOL_TIMEOUT_SECONDS": "2",
            "MAX_REQUEST_BYTES": str(MAX_BYTES),
            "REQUEST_BODY_SECONDS": str(SLOW_S),
            "REQUEST_HEADER_SECONDS": str(SLOW_S),
            "TELEGRAM_BOT_TOKEN": TG_TOKEN,
            "TELEGRAM_API_BASE_URL": platforms.telegram.base_url,
            "TELEGRAM_WEBHOOK_URL": base + TG,
            "TELEGRAM_WEBHOOK_SECRET": TG_SECRET,
            "ZALO_BOT_TOKEN": ZB_TOKEN,
            "ZALO_BOT_API_BASE_URL": platforms.zalo_bot.base_url,
            "ZALO_BOT_WEBHOOK_URL": base + ZB,
            "ZALO_BOT_WEBHOOK_SECRET": ZB_SECRET,
            "ZALO_OA_APP_ID": oa.app_id,
            "ZALO_OA_SECRET_KEY": oa.secret_key,
            "ZALO_OA_APP_SECRET": oa.app_secret,
            "ZALO_OA_REFRESH_TOKEN": "rt-0",
            "ZALO_OA_API_BASE_URL": oa.url,
            "ZALO_OA_OAUTH_BASE_URL": oa.url,
            "ZALO_OA_EVENT_MAX_AGE_SECONDS": "600",
        }
    )
    return env


def launch(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    """Start `python -m bot.entry serve` with its output in `log_path`."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.entry", "serve"], cwd=ROOT, stdout=log, stderr=log, env=env
        )


def read_log(path: Path) -> str:
    """The server's log."""
    return path.read_text("utf-8", "replace")


async def wait_ready(base: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until /healthz answers 200."""
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError("the server exited at start-up")
            try:
                if (await client.get(base + "/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not start")


async def warm_up(base: str, platforms: Platforms, concurrency: int) -> None:
    """Genuine conversations on every channel, `concurrency` at a time, so that what loads lazily
    (the knowledge base, the Vietnamese word segmenter, the channels' clients, the database
    pool's connections) is in memory before the starting RSS is taken."""
    texts = ["/start", "VNeID mức 2 là gì?", "cách nhận biết lừa đảo qua điện thoại", "/menu"]

    async def conversation(client: httpx.AsyncClient, number: int) -> None:
        session = (await client.post("/api/chat/sessions")).json()["session"]
        for text in texts:
            await client.post(
                WEB, json={"text": text}, headers={"Authorization": f"Bearer {session}"}
            )
            update = {
                "update_id": 900_000_000 + number * 10 + texts.index(text),
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": 9000 + number, "type": "private"},
                    "from": {"id": 9000 + number, "is_bot": False, "first_name": "A"},
                    "text": text,
                },
            }
            await client.post(
                TG, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
            )
            await client.post(
                ZB,
                json=platforms.zalo_bot.user_says(f"zw{number}", text),
                headers={"X-Bot-Api-Secret-Token": ZB_SECRET},
            )
            event = platforms.zalo_oa.user_says(f"oaw{number}", text)
            raw = json.dumps(event).encode()
            await client.post(
                OA, content=raw, headers=platforms.oa_headers(raw, event["timestamp"])
            )

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(conversation(client, n) for n in range(concurrency)))
    await asyncio.sleep(2.0)


async def fuzz(
    args: argparse.Namespace,
    base: str,
    port: int,
    platforms: Platforms,
    proxy: FaultyProxy,
    pid: int,
) -> dict[str, Any]:
    """Send the requests, inject the outage, collect the results."""
    fuzzer = Fuzzer(base, port, platforms, args.seed)
    results: list[Result] = []
    outage: dict[str, Any] = {"on": False, "back_at": 0.0}
    start_at, stall_at, stop_at = (int(args.requests * f) for f in (0.35, 0.5, 0.65))
    if args.no_outage:
        start_at = stall_at = stop_at = -1
    unavailable: list[dict[str, Any]] = []

    async def on_response(response: httpx.Response) -> None:
        if response.status_code == 503 and not outage["on"]:
            await response.aread()
            unavailable.append(
                {
                    "at": round(time.monotonic() - started, 1),
                    "path": response.request.url.path,
                    "retry_after": response.headers.get("retry-after"),
                    "body": response.text[:80],
                }
            )

    sent = 0
    rss_peak = rss_mb(pid)
    series: list[tuple[int, int]] = []
    limits = httpx.Limits(max_connections=args.concurrency * 2, max_keepalive_connections=0)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal sent
        while sent < args.requests:
            sent += 1
            number = sent
            if number == start_at:
                proxy.set_mode(STALL)
                outage["on"] = True
            elif number == stall_at:
                proxy.set_mode(REFUSE)
            elif number == stop_at:
                proxy.set_mode(FORWARD)
                outage["on"] = False
                outage["back_at"] = time.monotonic()
            during = outage["on"]
            began = time.monotonic()
            category, status = await fuzzer.one(client)
            results.append(
                Result(
                    category,
                    status,
                    time.monotonic() - began,
                    during or outage["on"],
                    time.monotonic(),
                )
            )

    async def sample_memory() -> None:
        nonlocal rss_peak
        while sent < args.requests:
            now = rss_mb(pid)
            rss_peak = max(rss_peak, now)
            series.append((sent, round(now)))
            await asyncio.sleep(0.5)

    started = time.monotonic()
    hooks = {"response": [on_response]}
    async with httpx.AsyncClient(timeout=30, limits=limits, event_hooks=hooks) as client:
        await asyncio.gather(sample_memory(), *(worker(client) for _ in range(args.concurrency)))
    late = [
        (r.category, round(r.ended - outage["back_at"], 1))
        for r in results
        if r.status == 503 and not r.during_outage
    ]
    return {
        "results": results,
        "seconds": time.monotonic() - started,
        "rss_peak": rss_peak,
        "late_503": late,
        "rss_series": series[:: max(1, len(series) // 40)],
        "unavailable_outside": unavailable[:20],
    }


def verdict(results: list[Result]) -> dict[str, Any]:
    """The counts the checks are made on."""
    by_category: dict[str, collections.Counter[int]] = collections.defaultdict(collections.Counter)
    for result in results:
        by_category[result.category][result.status] += 1
    bad_5xx = [r for r in results if r.status >= 500 and r.status != 503]
    outside_503 = [r for r in results if r.status == 503 and not r.during_outage]
    during_503 = [r for r in results if r.status == 503 and r.during_outage]
    no_answer = [r for r in results if r.status == 0 and r.category not in ("slow", "oversized")]
    return {
        "by_category": {k: dict(sorted(v.items())) for k, v in sorted(by_category.items())},
        "bad_5xx": len(bad_5xx),
        "503_outside_outage": len(outside_503),
        "503_during_outage": len(during_503),
        "during_outage": sum(r.during_outage for r in results),
        "no_answer_unexpected": len(no_answer),
        "p50_ms": statistics.median(r.seconds for r in results) * 1000,
        "p99_ms": sorted(r.seconds for r in results)[int(len(results) * 0.99) - 1] * 1000,
        "max_outage_answer_s": max((r.seconds for r in during_503), default=0.0),
    }


async def main(args: argparse.Namespace) -> dict[str, Any]:
    name = f"cdsbot_fuzz_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG)
    await admin.execute(f'CREATE DATABASE "{name}"')
    pg_url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    target = pg_url.split("@", 1)[1].split("/", 1)[0]
    host, _, pg_port = target.partition(":")
    proxy = FaultyProxy(host or "127.0.0.1", int(pg_port or 5432)).start()
    via_proxy = pg_url.replace(target, f"127.0.0.1:{proxy.port}")
    platforms = Platforms(
        FakeTelegram(TG_TOKEN).start(),
        FakeZaloBot(ZB_TOKEN).start(),
        FakeZaloOa(text_limit=500).start(),
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    data_dir = Path(f"/tmp/cdsbot-fuzz-{name}")
    log_path = Path(args.log or data_dir / "server.log")
    log_path.parent.mkdir(parents=True, exist_ok=True)
    process: subprocess.Popen[bytes] | None = None
    try:
        await asyncio.to_thread(upgrade, pg_url)
        process = launch(server_env(via_proxy, port, data_dir, platforms), log_path)
        await wait_ready(base, process)
        await warm_up(base, platforms, args.concurrency)
        rss_start = rss_mb(process.pid)
        run = await fuzz(args, base, port, platforms, proxy, process.pid)
        await asyncio.sleep(1.0)
        rss_end = rss_mb(process.pid)
        alive = process.poll() is None
    finally:
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        for fake in (platforms.telegram, platforms.zalo_bot, platforms.zalo_oa):
            fake.stop()
        proxy.stop()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    log_text = read_log(log_path)
    summary = verdict(run["results"])
    summary.update(
        {
            "requests": len(run["results"]),
            "seconds": run["seconds"],
            "rate": len(run["results"]) / run["seconds"],
            "rss_start_mb": rss_start,
            "rss_end_mb": rss_end,
            "rss_peak_mb": run["rss_peak"],
            "late_503": run["late_503"][:30],
            "rss_series": run["rss_series"],
            "unavailable_outside": run["unavailable_outside"],
            "tracebacks": log_text.count("Traceback (most recent call last)"),
            "outage_lines": [
                line.split(": ", 1)[-1][:90]
                for line in log_text.splitlines()
                if "storage unavailable (" in line or "storage available again" in line
            ],
            "server_alive": alive,
            "replies_sent": len(platforms.telegram.messages)
            + len(platforms.zalo_bot.messages)
            + len(platforms.zalo_oa.messages),
            "log": str(log_path),
        }
    )
    summary["503_after_recovery"] = sum(0 <= late <= RECOVERY_S for _, late in run["late_503"])
    summary["503_unexplained"] = summary["503_outside_outage"] - summary["503_after_recovery"]
    summary["passed"] = (
        summary["bad_5xx"] == 0
        and summary["503_unexplained"] == 0
        and summary["no_answer_unexpected"] == 0
        and summary["tracebacks"] == 0
        and summary["rss_end_mb"] - summary["rss_start_mb"] <= 100
        and alive
    )
    return summary


def section(summary: dict[str, Any], args: argparse.Namespace) -> str:
    """The fuzz section of BENCHMARKS.md."""
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    start_at, stall_at, stop_at = (f"{int(args.requests * f):,}" for f in (0.35, 0.5, 0.65))
    checks = [
        ("responses 5xx other than 503", f"**{summary['bad_5xx']}**"),
        (
            "503 while storage was down / in the first "
            f"{RECOVERY_S:.0f} s after it came back / at any other time",
            f"{summary['503_during_outage']:,} / {summary['503_after_recovery']} / "
            f"**{summary['503_unexplained']}**",
        ),
        ("requests sent while storage was down", f"{summary['during_outage']:,}"),
        ("longest answer during the outage", f"{summary['max_outage_answer_s']:.1f} s"),
        ("tracebacks in the server's log", f"**{summary['tracebacks']}**"),
        (
            "outage lines in the log (logger `bot.storage`)",
            "; ".join(line.split(": requests")[0] for line in summary["outage_lines"]),
        ),
        (
            "server RSS: start → end (peak)",
            f"{summary['rss_start_mb']:.0f} → **{summary['rss_end_mb']:.0f} MB** "
            f"({summary['rss_peak_mb']:.0f} MB)",
        ),
        (
            "requests per second; latency p50 / p99",
            f"{summary['rate']:.0f}/s; {summary['p50_ms']:.0f} / {summary['p99_ms']:.0f} ms",
        ),
        ("replies delivered to the fake platforms", f"{summary['replies_sent']:,}"),
    ]
    series = ", ".join(f"{sent:,}: {mb}" for sent, mb in summary["rss_series"][::4])
    table = "\n".join(f"| {name} | {value} |" for name, value in checks)
    rows = "\n".join(
        f"| {category} | {sum(statuses.values()):,} | "
        + ", ".join(f"{status or 'closed'}: {count}" for status, count in statuses.items())
        + " |"
        for category, statuses in summary["by_category"].items()
    )
    return f"""{START}
## HTTP fuzz with a storage outage (`bench/fuzz_http.py`)

Machine: {os.cpu_count()} cores (`nproc`), {platform.processor() or platform.machine()}, Python
{platform.python_version()}, PostgreSQL on the same machine, reached through a fault-injecting
proxy on loopback. Date: {now:%d/%m/%Y %H:%M}. The server is its own process (`python -m
bot.entry serve`, one uvicorn worker) with Telegram, Zalo Bot and Zalo OA in webhook mode
against the fake platforms; {summary["requests"]:,} requests, {args.concurrency} at a time, seed
{args.seed}. From request {start_at} to {stall_at} the database hangs (the proxy stalls every
byte), then until {stop_at} it is stopped (connections cut, new ones refused); then it is back.
Time-outs of the fuzzed server: connect 1 s, statement 2 s, pool 2 s; body and headers 2 s.

| check | result |
|---|---|
{table}

Server RSS in MB as the run went (requests sent: MB): {series}. It rises once, within the
first hundred requests (the first oversized and slow bodies, the database pool filling up to the
concurrency: the allocator keeps what it once used), and is flat from there on, through the
outage and after it.

Answers by kind of request (status: count; "closed": the server closed the connection without an
answer, as it does for headers or bodies sent too slowly and for oversized bodies whose rest it
never reads — the 413 is then often lost in the TCP reset):

| kind | requests | statuses |
|---|---|---|
{rows}
{END}"""


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--write", action="store_true", help="update docs/BENCHMARKS.md")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--log", help="where the server's log goes")
    parser.add_argument("--no-outage", action="store_true", help="keep the database up")
    parser.add_argument("--from-json", help="only write the section from this run's figures")
    return parser.parse_args(argv)


if __name__ == "__main__":
    arguments = parse()
    if arguments.from_json:  # write the section again from a run's saved figures
        replace_section(
            section(json.loads(Path(arguments.from_json).read_text()), arguments), START, END
        )
        sys.exit(0)
    figures = asyncio.run(main(arguments))
    printable = {k: v for k, v in figures.items() if k != "by_category"}
    print(json.dumps(printable, ensure_ascii=False, indent=1))
    for category, statuses in figures["by_category"].items():
        print(f"  {category}: {statuses}")
    if arguments.json:
        Path(arguments.json).write_text(json.dumps(figures, ensure_ascii=False, indent=1))
    if arguments.write:
        replace_section(section(figures, arguments), START, END)
    sys.exit(0 if figures["passed"] else 1)
