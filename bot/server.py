"""The FastAPI application: web chat, and the platform webhooks and background jobs as they are
configured. `cdsbot serve` runs it with uvicorn."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from bot.admin import install as install_console
from bot.admin.web import warm_up_console
from bot.app import BotApp
from bot.channels import web
from bot.channels.setup import ChannelSet
from bot.config import Settings
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.guard.body import BodyGuard
from bot.guard.headers import SecurityHeaders, page_policy
from bot.observability.http import install as install_observability
from bot.scheduler.jobs import SchedulerJobs, channel_senders
from bot.startup import release_collection

log = logging.getLogger(__name__)


def create_app(
    settings: Settings, *, bot: BotApp | None = None, run_jobs: bool | None = None
) -> FastAPI:
    """Build the ASGI app. A prebuilt `bot` may be passed (tests); the scheduler's jobs run when
    `run_jobs` says so, by default when the settings enable them and the app owns its bot."""
    bot_app = bot or BotApp.build(settings)
    channels = ChannelSet.from_app(bot_app)
    if run_jobs is None:
        run_jobs = settings.scheduler_enabled and bot is None

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await bot_app.warm_up()  # before uvicorn accepts requests: no slow first question
        await channels.start()
        release_collection()  # start-up's objects made: frozen, the collector on again
        console = asyncio.create_task(warm_up_console(), name="console-warm-up")
        jobs = SchedulerJobs(bot_app, channel_senders(bot_app)) if run_jobs else None
        if jobs is not None:
            jobs.start()
        app.state.jobs = jobs  # /readyz asks it whether it is alive
        try:
            yield
        finally:
            console.cancel()
            if jobs is not None:
                await jobs.stop()
            await channels.stop()
            if bot is None:
                await bot_app.close()

    app = FastAPI(
        title="Trợ lý Chuyển đổi số",
        description="API trò chuyện của Trợ lý Chuyển đổi số (web chat) và các webhook nền tảng.",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by web.mount_assets with local scripts
        redoc_url=None,
    )
    app.state.bot = bot_app
    app.include_router(web.build_router(bot_app))
    web.mount_assets(app)
    app.state.channels = channels
    channels.mount(app)
    install_console(app, bot_app)
    install_observability(app, bot_app)  # /metrics, /readyz
    # Outermost last: headers go on every answer, refusals of oversized bodies included.
    app.add_middleware(
        BodyGuard,
        max_bytes=settings.max_request_bytes,
        body_seconds=settings.request_body_seconds,
        message=bot_app.catalog,
    )
    chat_page = resources.files("bot.channels").joinpath("static/chat.html").read_text("utf-8")
    app.add_middleware(SecurityHeaders, page_policies={"/": page_policy(chat_page)})

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"loc": list(e.get("loc", ())), "msg": str(e.get("msg", ""))} for e in exc.errors()
        ]
        body = web.validation_message(bot_app.catalog, request, errors)
        return JSONResponse(status_code=422, content=body)

    async def _storage_down(_: Request, exc: Exception) -> JSONResponse:
        # Logged once per outage by the database (bot.storage.faults), not once per request.
        log.debug("storage unavailable: %s", type(exc).__name__)
        return JSONResponse(
            status_code=503,
            content={"detail": bot_app.catalog("web.unavailable")},
            headers={"Retry-After": "5"},
        )

    for infrastructure_error in INFRASTRUCTURE_ERRORS:
        app.add_exception_handler(infrastructure_error, _storage_down)

    @app.get("/healthz", include_in_schema=False)
    async def health() -> JSONResponse:
        """200 when the database answers within HEALTH_TIMEOUT_SECONDS, else 503; with the state of
        each configured channel."""
        states = channels.states()  # a channel whose token was refused shows "refused"
        if await bot_app.db.reachable(within_s=settings.health_timeout_seconds):
            return JSONResponse({"status": "ok", "database": "ok", "channels": states})
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable", "channels": states},
            status_code=503,
        )

    return app


def from_environment() -> FastAPI:
    """The app of one `cdsbot serve --workers N` worker: settings from the environment (the same
    for every worker), logging configured in this process."""
    from bot.config import get_settings
    from bot.logs import configure_logging

    settings = get_settings()
    configure_logging(settings)
    return create_app(settings)
