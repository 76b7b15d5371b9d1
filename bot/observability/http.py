"""`/metrics` (Prometheus) and `/readyz` (readiness) for operators; `/healthz` (liveness) stays
in `bot.server`.

`/metrics` is served with `METRICS_TOKEN` as a Bearer token, or, without a token, only when the
server listens on a loopback or private address (`WEB_HOST`) and the request did not come
through a proxy (no `X-Forwarded-For` / `Forwarded`): a bot bound to a public address, or
reached through the public reverse proxy, refuses it (404, as if there were no such page).

`/readyz` answers 200 when this process can serve: the database answers, its schema is at the
shipped migrations' head, the knowledge base is loaded and, where this process runs the
scheduler, the scheduler is alive; else 503 with the checks that failed.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from functools import cache
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.observability.metrics import multiprocess_dir
from bot.storage.repositories import operations

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.config import Settings

SCHEDULER_QUIET_INTERVALS = 3
"""The scheduler counts as stuck when none of its jobs finished for this many sweep intervals."""


def install(app: FastAPI, bot: BotApp) -> None:
    """Add `/metrics` and `/readyz` to the app. The scheduler this process runs, if any, is
    read from `app.state.jobs` (set by the server's lifespan)."""
    settings = bot.settings

    @app.get("/metrics", include_in_schema=False)
    async def metrics(request: Request) -> Response:
        refusal = _refusal(settings, request)
        if refusal is not None:
            return refusal
        body = _process_metrics() + await _database_metrics(bot)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/readyz", include_in_schema=False)
    async def ready(request: Request) -> JSONResponse:
        checks = await readiness(bot, getattr(request.app.state, "jobs", None))
        ok = all(value in ("ok", "off") for value in checks.values())
        return JSONResponse(
            {"status": "ready" if ok else "unready", "checks": checks},
            status_code=200 if ok else 503,
        )


# /metrics ---------------------------------------------------------------------------------------


def private_address(host: str) -> bool:
    """Whether a listening address is reachable only from this host or a private network."""
    if host.strip().lower() == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False  # a host name: cannot tell
    if address.is_unspecified:  # 0.0.0.0 / :: listen everywhere
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def _refusal(settings: Settings, request: Request) -> Response | None:
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    if token:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        return Response(status_code=401, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    proxied = "x-forwarded-for" in request.headers or "forwarded" in request.headers
    if private_address(settings.web_host) and not proxied:
        return None
    return Response(status_code=404)


def _process_metrics() -> bytes:
    """The counters of every process of the deployment (multiprocess mode), or of this one."""
    directory = multiprocess_dir()
    if directory is None:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=str(directory))
    return generate_latest(registry)


class _Snapshot:
    """A collector of figures read once, at this scrape (nothing is kept between scrapes)."""

    def __init__(self, families: list[GaugeMetricFamily]) -> None:
        self._families = families

    def collect(self) -> list[GaugeMetricFamily]:
        return self._families


async def _database_metrics(bot: BotApp) -> bytes:
    """The outbox as it is now, read from the database at the scrape (the same whichever
    process answers)."""
    up = GaugeMetricFamily("cdsbot_database_up", "1 when the database answered this scrape.")
    families = [up]
    try:
        async with asyncio.timeout(bot.settings.health_timeout_seconds):
            async with bot.db.transaction() as session:
                now = bot.services.clock.now()
                figures = await operations.outbox_figures(session, now=now)
    except (*INFRASTRUCTURE_ERRORS, TimeoutError):
        up.add_metric([], 0)
    else:
        up.add_metric([], 1)
        depth = GaugeMetricFamily(
            "cdsbot_outbox_depth",
            "Outbox messages not yet sent: waiting (due now), scheduled (due later, e.g. after "
            "quiet hours), sending (held by a sender); unread: web-chat messages due and not yet "
            "fetched by their page (no sender can hasten them; not in the oldest-waiting age).",
            labels=["state"],
        )
        depth.add_metric(["waiting"], figures.waiting)
        depth.add_metric(["scheduled"], figures.scheduled)
        depth.add_metric(["sending"], figures.sending)
        depth.add_metric(["unread"], figures.unread)
        oldest = figures.oldest_waiting
        age = GaugeMetricFamily(
            "cdsbot_outbox_oldest_waiting_age_seconds",
            "How long the oldest waiting message has been due (0 when none waits).",
            value=max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0,
        )
        families += [depth, age]
    registry = CollectorRegistry()
    registry.register(_Snapshot(families))  # type: ignore[arg-type]
    return generate_latest(registry)


# /readyz ----------------------------------------------------------------------------------------


@cache
def _heads() -> tuple[str, ...]:
    from bot.storage.migrate import head_revisions

    return tuple(sorted(head_revisions()))


async def readiness(bot: BotApp, jobs: Any) -> dict[str, str]:
    """Each check: "ok", "off" (not run by this process) or what is wrong."""
    settings = bot.settings
    checks = {"database": "ok", "migrations": "ok", "content": "ok", "scheduler": "off"}
    try:
        async with asyncio.timeout(settings.health_timeout_seconds):
            async with bot.db.connection(autocommit=True) as connection:
                current = await operations.schema_revisions(connection)
    except (*INFRASTRUCTURE_ERRORS, TimeoutError):
        checks["database"] = "unreachable"
        checks["migrations"] = "unknown"
    else:
        heads = await asyncio.to_thread(_heads)
        if current != heads:
            checks["migrations"] = f"at {', '.join(current) or 'none'}, expected {', '.join(heads)}"
    if not bot.services.knowledge.warm:
        checks["content"] = "not loaded"
    if jobs is not None:
        within = SCHEDULER_QUIET_INTERVALS * max(settings.sweep_interval_seconds, 10.0)
        checks["scheduler"] = "ok" if jobs.alive(within_s=within) else "stalled"
    return checks
