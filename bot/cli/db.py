"""`cdsbot db upgrade`: apply migrations and say which ones ran."""

from __future__ import annotations

import typer

from bot.cli._common import settings
from bot.cli.vietnamese import App

app = App(help="Cơ sở dữ liệu.")


@app.command("upgrade")
def upgrade() -> None:
    """Tạo hoặc đưa cơ sở dữ liệu lên phiên bản mới nhất (áp dụng các bản cập nhật cấu trúc)."""
    from bot.cli.database import describe, sqlite_file
    from bot.logs import configure_logging
    from bot.storage.migrate import upgrade_reporting

    config = settings()
    configure_logging(config, migrations=True)
    path = sqlite_file(config.resolved_database_url)
    created = path is not None and not path.exists()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    applied, head = upgrade_reporting(config.resolved_database_url)
    where = describe(config)
    if created:
        typer.echo(f"Đã tạo cơ sở dữ liệu mới ở {where}: áp dụng {len(applied)} bản cập nhật.")
    elif applied:
        typer.echo(
            f"Đã cập nhật cơ sở dữ liệu ở {where}: áp dụng {len(applied)} bản cập nhật "
            f"({', '.join(applied)})."
        )
    else:
        typer.echo(f"Cơ sở dữ liệu ở {where} đã ở phiên bản mới nhất ({head}), không cần cập nhật.")
