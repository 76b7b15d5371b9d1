"""Helpers shared by CLI commands: settings, the app, running coroutines, failing politely.

Imports nothing heavy at module level: `cdsbot --help` must not load the server stack."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TypeVar

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.config import Settings

T = TypeVar("T")


def settings() -> Settings:
    """Settings from the environment and `.env`."""
    from bot.config import get_settings

    return get_settings()


@asynccontextmanager
async def bot_app(config: Settings | None = None) -> AsyncIterator[BotApp]:
    """A wired app for one command, closed afterwards."""
    from bot.app import BotApp

    app = BotApp.build(config or settings())
    try:
        yield app
    finally:
        await app.close()


def run(factory: Callable[[BotApp], Awaitable[T]], *, needs_database: bool = True) -> T:
    """Run an async command body with a fresh app; on the existing database, never a new one
    (unless the command checks that itself: `needs_database=False`)."""
    from bot.cli.database import require_database
    from bot.logs import configure_logging

    config = settings()
    configure_logging(config)
    if needs_database:
        require_database(config)

    async def body() -> T:
        async with bot_app(config) as app:
            return await factory(app)

    return asyncio.run(body())


def fail(message: str) -> NoReturn:
    """Stop the command with a Vietnamese message on stderr and a non-zero exit."""
    raise UserError(message)


def read_text(path: Path) -> str:
    """A text file people wrote (UTF-8, with or without BOM); a clear refusal otherwise."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(f"Tệp {path} không phải văn bản UTF-8. Hãy lưu lại tệp với mã hóa UTF-8.")
