"""Templates and the small formatting filters the pages share (Vietnamese dates and numbers)."""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from bot.core.clock import fmt_date, fmt_datetime
from bot.messages.numbers import decimal, percent
from bot.services.console import ConsoleUser

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)
"""The console's pages load nothing but their own files: no inline script or style at all."""

TEMPLATES = Jinja2Templates(directory=str(resources.files("bot.admin").joinpath("templates")))


def number(value: int) -> str:
    """12345 → "12.345", in the bot's one number format."""
    return decimal(value, 0)


def when(value: datetime | date | None) -> str:
    """dd/mm/yyyy (dates) or HH:MM dd/mm/yyyy (times), local time; empty when missing."""
    if value is None:
        return ""
    return fmt_datetime(value) if isinstance(value, datetime) else fmt_date(value)


TEMPLATES.env.filters.update(percent=percent, number=number, when=when)


def page(
    request: Request,
    name: str,
    user: ConsoleUser | None,
    *,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render a page with the signed-in person (for the menu and the forms' CSRF token)."""
    response = TEMPLATES.TemplateResponse(
        request,
        name,
        {"user": user, "t": request.app.state.bot.catalog, **context},
        status_code=status_code,
    )
    response.headers["Content-Security-Policy"] = POLICY
    # Forms post back here: a browser under "no-referrer" sends "Origin: null" with them, which
    # the same-origin check must refuse; "same-origin" still tells other sites nothing.
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["Cache-Control"] = "no-store"
    return response
