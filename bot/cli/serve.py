"""`cdsbot serve`: the web server with every configured channel, in one process or in N worker
processes on one port (uvicorn's process manager: a worker that dies is started again)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

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


def serve(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Số tiến trình máy chủ (mặc định WEB_WORKERS); nhiều hơn 1 cần PostgreSQL.",
        ),
    ] = None,
) -> None:
    """Chạy máy chủ."""
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
