"""Wires the console into the FastAPI app: its routers, static files and error pages."""

from __future__ import annotations

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
    """Mount every /admin route, the console's static files and its error handling."""
    warm_up()
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


def warm_up() -> None:
    """Compile every template and load the number formats' locale data when the app starts,
    not during the first person's request (about a quarter of a second on a busy machine)."""
    for name in TEMPLATES.env.list_templates(extensions=["html"]):
        TEMPLATES.env.get_template(name)
    number(1234)
    percent(0.5)
