"""`cdsbot serve`: the web server with every configured channel."""

from __future__ import annotations


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
