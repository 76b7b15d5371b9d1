"""`cdsbot db upgrade`: apply migrations."""

from __future__ import annotations

import typer

from bot.cli._common import settings
from bot.storage.migrate import upgrade as apply_migrations

app = typer.Typer(help="Cơ sở dữ liệu.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Đưa cơ sở dữ liệu lên phiên bản mới nhất (áp dụng các migration)."""
    config = settings()
    if config.resolved_database_url.startswith("sqlite"):
        config.data_dir.mkdir(parents=True, exist_ok=True)
    apply_migrations(config.resolved_database_url)
    typer.echo("Cơ sở dữ liệu đã ở phiên bản mới nhất.")
