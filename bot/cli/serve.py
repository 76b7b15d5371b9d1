"""`cdsbot serve`: the web server with every configured channel, in one process or in N worker
processes on one port (uvicorn's process manager: a worker that dies is started again). The
work is in `bot.cli.serving`, which a bare `cdsbot serve` runs without Typer (`bot.entry`)."""

from __future__ import annotations

from typing import Annotated

import typer

from bot.cli.serving import refuse_bad_tokens, run

__all__ = ["refuse_bad_tokens", "serve"]


def serve(
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers",
            min=1,
            help="Số tiến trình máy chủ (mặc định WEB_WORKERS); nhiều hơn 1 cần PostgreSQL.",
        ),
    ] = None,
) -> None:
    """Chạy máy chủ."""
    run(workers)
