"""`cdsbot serve`: the web server with every configured channel."""

from __future__ import annotations

import uvicorn

from bot.app import configure_logging
from bot.cli._common import settings
from bot.server import create_app


def serve() -> None:
    """Chạy máy chủ."""
    config = settings()
    configure_logging(config)
    uvicorn.run(
        create_app(config),
        host=config.web_host,
        port=config.web_port,
        log_level=config.log_level.lower(),
        proxy_headers=True,
        forwarded_allow_ips=config.web_trusted_proxies,
    )
