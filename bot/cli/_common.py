"""Helpers shared by CLI commands: settings, the app, running coroutines."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import TypeVar

import typer

from bot.app import BotApp, configure_logging
from bot.config import Settings, get_settings

T = TypeVar("T")


def settings() -> Settings:
    """Settings from the environment and `.env`."""
    return get_settings()


@asynccontextmanager
async def bot_app() -> AsyncIterator[BotApp]:
    """A wired app for one command, closed afterwards."""
    app = BotApp.build(settings())
    try:
        yield app
    finally:
        await app.close()


def run(factory: Callable[[BotApp], Awaitable[T]]) -> T:
    """Run an async command body with a fresh app."""
    configure_logging(settings())

    async def body() -> T:
        async with bot_app() as app:
            return await factory(app)

    return asyncio.run(body())


def fail(message: str, code: int = 1) -> None:
    """Print an error to stderr and exit non-zero."""
    typer.echo(message, err=True)
    raise typer.Exit(code)
