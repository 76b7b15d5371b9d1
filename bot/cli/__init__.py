"""The `cdsbot` command line. Each command group lives in its own module, added to the Typer app
in `bot.cli.root`.

Every module of this package imports only Typer and light helpers at module level; the server
stack (database, channels, charts, spreadsheets, migrations) is imported inside the command that
uses it, so that `cdsbot --help` starts in a fraction of a second. The package itself imports
nothing: `bot.cli.serving` (a bare `cdsbot serve`) and `bot.cli.explain` are used without the
Typer app, which is built when `main` or `bot.cli.app` is first asked for.
"""

from __future__ import annotations

from typing import Any


def main() -> None:
    """Entry point of the `cdsbot` console script."""
    from bot.cli.root import main as run

    run()


def __getattr__(name: str) -> Any:
    if name == "app":
        from bot.cli.root import app

        return app
    raise AttributeError(f"module 'bot.cli' has no attribute {name!r}")
