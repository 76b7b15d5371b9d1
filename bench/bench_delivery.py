"""Delivery benchmark: a broadcast through the outbox sender to the fake Telegram Bot API.

The fake (tests/fakes/telegram_api.py, real HTTP on loopback) enforces Telegram's limits — at
most `--rate` messages per second overall and 1 per second per chat, answering 429 with
`parameters.retry_after` — answers 403 for blocked chats and 502 at random. The sender runs with
the same configured limit. Reported: the sustained rate (median of whole seconds, first and last
second left out) against the configured limit, the overall rate, 429s, 502s retried, blocked
people marked, and that nothing was lost (every other person got the message exactly once).

Run: `.venv/bin/python bench/bench_delivery.py [--messages 1800] [--rate 30]` (PostgreSQL from
TEST_POSTGRES_URL, default postgresql://postgres@127.0.0.1:5432/...).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
import httpx  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bot.app import BotApp  # noqa: E402
from bot.config import get_settings  # noqa: E402
from bot.scheduler.jobs import channel_senders  # noqa: E402
from bot.storage.migrate import upgrade  # noqa: E402
from bot.storage.models import OutboxMessage, User  # noqa: E402
from tests.helpers.server import free_port  # noqa: E402
from tests.scheduler.helpers import many_people  # noqa: E402

PG = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TOKEN = "123456:BENCH-token"
TEXT = "Hội nghị sơ kết phong trào thi đua Chuyển đổi số diễn ra lúc 8:00 ngày 15/12/2026."


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(PG)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def wait_for(base: str) -> None:
    """Until the fake answers."""
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(200):
            try:
                await client.get("/_test/calls")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise RuntimeError("fake Telegram did not start")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


async def deliver(
    url: str, fake: str, *, messages: int, rate: float, blocked_every: int, concurrency: int
) -> dict[str, object]:
    """Queue one broadcast and send it; returns the figures."""
    settings = get_settings(
        database_url=url,
        telegram_bot_token=TOKEN,
        telegram_api_base_url=f"{fake}/bot",
        telegram_rate_per_second=rate,
        telegram_rate_per_chat=1.0,
        sender_concurrency=concurrency,
        _env_file=None,
    )
    bot = BotApp.build(settings)
    control = httpx.AsyncClient(base_url=fake)
    try:
        chats = await many_people(bot, messages)
        blocked = {int(chat) for chat in chats[::blocked_every]} if blocked_every else set()
        await control.post("/_test/config", json={"blocked_chats": sorted(blocked)})
        broadcasts = bot.services.reminders.broadcasts
        plan = await broadcasts.plan("everyone")
        queued = await broadcasts.send(plan, TEXT, urgent=True)
        sender = bot.services.reminders.sender(channel_senders(bot))
        started = time.monotonic()
        while not (await broadcasts.progress_of(queued.id)).done:
            await sender.drain()
            await asyncio.sleep(0.1)
        elapsed = time.monotonic() - started
        final = await broadcasts.progress_of(queued.id)
        async with bot.db.transaction() as session:
            marked = await session.scalar(
                select(func.count()).select_from(User).where(User.unreachable_reason.is_not(None))
            )
            attempts = await session.scalar(select(func.sum(OutboxMessage.attempts)))
        calls = [
            c for c in (await control.get("/_test/calls")).json() if c["method"] == "sendMessage"
        ]
        sent_messages = (await control.get("/_test/messages")).json()
    finally:
        await control.aclose()
        await bot.close()
    ok_times = sorted(c["at"] for c in calls if c["status"] == 200)
    all_times = sorted(c["at"] for c in calls)
    statuses = Counter(c["status"] for c in calls)
    per_chat = Counter(m["chat_id"] for m in sent_messages)
    lost = [chat for chat in chats if int(chat) not in blocked and per_chat[int(chat)] == 0]
    duplicates = sum(count - 1 for count in per_chat.values() if count > 1)
    if os.environ.get("BENCH_VERBOSE"):
        print(
            "429 at:",
            [round(c["at"] - all_times[0], 2) for c in calls if c["status"] == 429],
            file=sys.stderr,
        )
    return {
        "messages": messages,
        "rate": rate,
        "sustained": _sustained(all_times),
        "delivering": _sustained(ok_times),
        "overall": len(ok_times) / max(ok_times[-1] - ok_times[0], 1e-9),
        "elapsed": elapsed,
        "delivered": len(ok_times),
        "sent": final.sent,
        "failed": dict(final.failed),
        "429": statuses.get(429, 0),
        "502": statuses.get(502, 0),
        "403": statuses.get(403, 0),
        "blocked": len(blocked),
        "marked": marked,
        "lost": len(lost),
        "duplicates": duplicates,
        "attempts": attempts,
    }


def _sustained(times: list[float]) -> float:
    """Median number of calls per whole second, leaving out the first and the last second."""
    buckets = Counter(int(at - times[0]) for at in times)
    whole = [buckets[second] for second in range(1, int(times[-1] - times[0]))]
    if os.environ.get("BENCH_VERBOSE"):
        print("per second:", whole, file=sys.stderr)
    return statistics.median(whole) if whole else float("nan")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=1800)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--failure-rate", type=float, default=0.02)
    parser.add_argument("--blocked-every", type=int, default=50, help="every Nth person blocked")
    parser.add_argument("--concurrency", type=int, default=16, help="messages in flight")
    args = parser.parse_args()
    name = f"cdsbot_bench_delivery_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1) + f"/{name}"
    # The platform runs in a process of its own, as the real one would: no shared event loop.
    port = free_port()
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.telegram_api",
        "--port",
        str(port),
        "--token",
        TOKEN,
        "--rate-limits",
        "--failure-rate",
        str(args.failure_rate),
        "--seed",
        "2026",
        cwd=ROOT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        await asyncio.to_thread(upgrade, url)
        await wait_for(base)
        async with httpx.AsyncClient(base_url=base) as control:
            await control.post("/_test/config", json={"overall_per_second": int(args.rate)})
        result = await deliver(
            url,
            base,
            messages=args.messages,
            rate=args.rate,
            blocked_every=args.blocked_every,
            concurrency=args.concurrency,
        )
    finally:
        fake.terminate()
        await fake.wait()
        await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    share = 100 * float(result["sustained"]) / args.rate  # type: ignore[arg-type]
    print(
        f"Delivery benchmark — {date.today():%d/%m/%Y}, {os.cpu_count()} CPU ({_cpu()}), "
        "PostgreSQL, fake Telegram Bot API on loopback"
    )
    print(
        f"Broadcast of {result['messages']} messages, configured limit {args.rate:g}/s overall, "
        f"1/s per chat; {args.failure_rate:.0%} random 502s; "
        + (
            f"every {args.blocked_every}th person blocked."
            if args.blocked_every
            else "nobody blocked."
        )
    )
    print(
        f"  sustained send rate (Bot API calls, median of whole seconds): "
        f"{result['sustained']:g}/s = {share:.1f} % of the configured limit"
    )
    print(
        f"  successful deliveries: median {result['delivering']:g}/s, overall "
        f"{result['overall']:.1f}/s; wall time {result['elapsed']:.1f} s"
    )
    print(
        f"  delivered {result['delivered']} (outbox: sent {result['sent']}, "
        f"undeliverable {result['failed']}); 429 answers: {result['429']}; "
        f"502 answers retried: {result['502']}"
    )
    print(
        f"  blocked: {result['blocked']}, marked unreachable: {result['marked']}; "
        f"lost: {result['lost']}; duplicates: {result['duplicates']}; "
        f"send attempts: {result['attempts']}"
    )
    ok = share >= 95 and result["lost"] == 0 and result["marked"] == result["blocked"]
    print(
        "  target (≥ 95 % of the limit, nothing lost, blocked people marked):",
        "met" if ok else "NOT met",
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
