"""`cdsbot serve`: the web server with every configured channel."""

from __future__ import annotations

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


def serve() -> None:
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
    uvicorn.run(
        create_app(config),
        host=config.web_host,
        port=config.web_port,
        log_level=config.log_level.lower(),
        proxy_headers=True,
        **uvicorn_options(config),
        forwarded_allow_ips=config.web_trusted_proxies,
        **uvicorn_logging(config),
    )
