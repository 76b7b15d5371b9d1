"""Wires the console into the FastAPI app: its routers, static files and error pages."""

from __future__ import annotations

import asyncio
from importlib import resources

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from bot.admin import (
    audit,
    auth_pages,
    dashboard,
    knowledge,
    nominations,
    reminders,
    targets,
    units,
)
from bot.admin.rendering import TEMPLATES, number, page
from bot.admin.security import Forbidden, Gate, NotSignedIn
from bot.app import BotApp
from bot.messages.numbers import percent


def install(app: FastAPI, bot: BotApp) -> None:
    """Mount every /admin route, the console's static files and its error handling (the
    templates are compiled once the server runs: `warm_up_console`)."""
    gate = Gate(bot)
    for module in (auth_pages, dashboard, nominations, units, targets, reminders, knowledge, audit):
        app.include_router(module.build_router(bot, gate))
    static = resources.files("bot.admin").joinpath("static")
    app.mount("/admin/static", StaticFiles(directory=str(static)), name="admin-static")

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, _: NotSignedIn) -> Response:
        if request.method == "GET":
            return RedirectResponse("/admin/dangnhap", status_code=303)
        return page(request, "error.html", None, status_code=401, why="signed_out")

    @app.exception_handler(Forbidden)
    async def _forbidden(request: Request, exc: Forbidden) -> Response:
        user = await gate.user(request)
        return page(request, "error.html", user, status_code=403, why=exc.reason)


CONSOLE_WARM_UP_DELAY_S = 2.0
"""How long after start-up the console's templates are compiled: the first requests after a
start are people's messages (Telegram redelivers what queued while the bot was down), and an
administrator's first page comes later."""


async def warm_up_console(delay_s: float = CONSOLE_WARM_UP_DELAY_S) -> None:
    """Compile every template and load the number formats' locale data soon after the server
    starts, not during the first administrator's request (about a quarter of a second on a busy
    machine) and not before the first answer to a person either: one template per turn of the
    event loop, so that requests arriving meanwhile are served in between."""
    await asyncio.sleep(delay_s)
    for name in TEMPLATES.env.list_templates(extensions=["html"]):
        TEMPLATES.env.get_template(name)
        await asyncio.sleep(0)
    number(1234)
    percent(0.5)
