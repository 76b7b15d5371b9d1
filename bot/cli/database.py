"""Where the command line's database is, and a refusal to invent one: a command run outside the
project folder must not create an empty `./data/cdsbot.db` and then fail on its missing tables."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.errors import UserError

if TYPE_CHECKING:
    from bot.config import Settings


def sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (None for other databases and in-memory SQLite)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or not scheme.startswith("sqlite"):
        return None
    name = rest.split("?", 1)[0]
    if not name or name == ":memory:":
        return None
    return Path(name)


def describe(settings: Settings) -> str:
    """The database in words: the SQLite file's full path, or the server URL without password."""
    url = settings.resolved_database_url
    path = sqlite_file(url)
    if path is not None:
        return str(path.resolve())
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        credentials, host = rest.rsplit("@", 1)
        rest = f"{credentials.split(':', 1)[0]}@{host}"
    return f"{scheme}{sep}{rest}"


def require_database(settings: Settings) -> None:
    """Refuse (in Vietnamese, saying what to do) when the configured SQLite file does not exist."""
    path = sqlite_file(settings.resolved_database_url)
    if path is None or path.exists():
        return
    raise UserError(
        f"Chưa có cơ sở dữ liệu ở {path.resolve()}. Chạy `cdsbot db upgrade` trong thư mục dự án "
        f"hoặc đặt DATABASE_URL/DATA_DIR (biến môi trường hoặc tệp .env ở thư mục hiện tại, "
        f"{Path.cwd()})."
    )
