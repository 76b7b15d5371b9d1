"""What `cdsbot serve` does, without Typer: `bot.entry` runs a bare `cdsbot serve` (no options)
through `main` here, and the Typer command (`bot.cli.serve`, for `--workers` and `--help`) calls
`run`. Typer, Click and Rich cost about a sixth of a second of CPU to import, all of it before
the first answer of a server that has no use for them once it runs."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from bot.cli._common import fail

if TYPE_CHECKING:
    from bot.config import Settings


def refuse_bad_tokens(config: Settings) -> None:
    """Stop before listening, with one Vietnamese line per channel and exit 1, when a configured
    channel's token is malformed or refused by its platform (`bot.channels.credentials` says why
    this stops rather than serving without the channel). An unreachable platform does not stop
    `serve`: the channel retries."""
    import asyncio

    from bot.channels.credentials import refusals
    from bot.messages import load_catalog

    found = asyncio.run(refusals(config))
    if found:
        t = load_catalog(config.address_form)
        fail("\n".join(t(refusal.key) for refusal in found))


def run(workers: int | None = None) -> None:
    """Serve until stopped: one process, or `workers` (default WEB_WORKERS) on PostgreSQL."""
    import uvicorn

    from bot.cli._common import settings
    from bot.cli.database import require_database
    from bot.guard.slow_clients import uvicorn_options
    from bot.logs import configure_logging, uvicorn_logging
    from bot.server import create_app

    config = settings()
    configure_logging(config)
    require_database(config)
    refuse_bad_tokens(config)
    count = workers or config.web_workers
    common = {
        "host": config.web_host,
        "port": config.web_port,
        "log_level": config.log_level.lower(),
        "proxy_headers": True,
        "forwarded_allow_ips": config.web_trusted_proxies,
        **uvicorn_options(config),
        **uvicorn_logging(config),
    }
    if count == 1:
        uvicorn.run(create_app(config), **common)
        return
    if not config.resolved_database_url.startswith("postgresql"):
        fail("Chạy nhiều tiến trình máy chủ cần PostgreSQL (SQLite chỉ cho một tiến trình).")
    # Each worker is a fresh interpreter that builds its app from the same environment; the
    # protocol class is named by import path, as the workers cannot receive a class made here.
    common["http"] = "bot.guard.slow_clients:ConfiguredHeaderDeadlineProtocol"
    uvicorn.run("bot.server:from_environment", factory=True, workers=count, **common)


def main() -> None:
    """`cdsbot serve` without options: an expected error is one Vietnamese line on stderr and
    exit 1, as through the Typer command (`bot.cli.errors.RootGroup`); a bug keeps its
    traceback."""
    from bot.cli.explain import explain

    try:
        run()
    except Exception as error:
        message = explain(error)
        if message is None:
            raise
        print(message, file=sys.stderr, flush=True)
        raise SystemExit(1) from None
