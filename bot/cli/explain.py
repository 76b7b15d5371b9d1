"""The one Vietnamese line for an expected error of the command line (a `UserError`, a file that
cannot be read or written, a database that is missing, not migrated or not reachable, a setting
refused). Imports neither Typer nor the server stack, so that `cdsbot serve` (bot.cli.serving),
which runs without Typer, explains its errors the same way as every other command."""

from __future__ import annotations

import errno
import sys

from bot.core.errors import UserError

UPGRADE_HINT = "Chạy `cdsbot db upgrade` trong thư mục dự án rồi thử lại."
_FILE_REASONS = {
    errno.EACCES: "không có quyền",
    errno.EPERM: "không có quyền",
    errno.ENOENT: "không có tệp hoặc thư mục này",
    errno.EISDIR: "đây là một thư mục, cần một tệp",
    errno.ENOTDIR: "một phần của đường dẫn không phải là thư mục",
    errno.ENOSPC: "ổ đĩa đã đầy",
    errno.EROFS: "ổ đĩa chỉ cho đọc",
    errno.ENAMETOOLONG: "tên quá dài",
    errno.EEXIST: "đã có một tệp trùng tên với thư mục cần tạo",
}


def explain(error: BaseException) -> str | None:
    """The one line to show for an expected error, or None for a bug."""
    if isinstance(error, UserError):
        return error.message
    if isinstance(error, UnicodeDecodeError):
        return (
            "Tệp không phải văn bản UTF-8. Hãy lưu lại tệp với mã hóa UTF-8 "
            "(trong Excel: Lưu thành → CSV UTF-8)."
        )
    settings = _settings_problem(error)
    if settings is not None:
        return settings
    database = _database_problem(error)
    if database is not None:
        return database
    if isinstance(error, ConnectionError):
        return f"Không kết nối được ({error}). Kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu."
    if isinstance(error, OSError) and error.filename is not None:
        reason = _FILE_REASONS.get(error.errno or 0, error.strerror or "lỗi hệ thống")
        return f"Không dùng được tệp {error.filename}: {reason}."
    return None


_SETTING_TYPES = {
    "int_parsing": "cần một số nguyên",
    "float_parsing": "cần một số",
    "bool_parsing": "cần true hoặc false",
    "missing": "còn thiếu",
}


def _settings_problem(error: BaseException) -> str | None:
    """A setting (environment or .env) the settings refuse: which one, and why."""
    if "pydantic" not in sys.modules:
        return None
    from pydantic import ValidationError

    if not isinstance(error, ValidationError) or error.title != "Settings":
        return None
    lines = []
    for problem in error.errors():
        name = "_".join(str(part) for part in problem["loc"]).upper()
        reason = _SETTING_TYPES.get(problem["type"])
        if reason is None:
            reason = str(problem["msg"]).removeprefix("Value error, ")
        lines.append(f"Cấu hình {name} chưa đúng: {reason}.")
    lines.append("Sửa trong biến môi trường hoặc tệp .env rồi chạy lại.")
    return "\n".join(lines)


def _database_problem(error: BaseException) -> str | None:
    """A database that has no tables of ours, an older schema, or cannot be reached."""
    if "sqlalchemy" not in sys.modules:
        return None
    from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, ProgrammingError

    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig or error).lower()
    if isinstance(error, OperationalError | ProgrammingError) and (
        "no such table" in text
        or "no such column" in text
        or ("does not exist" in text and ("relation" in text or "column" in text))
    ):
        return f"Cơ sở dữ liệu chưa được tạo bảng hoặc đang ở phiên bản cũ. {UPGRADE_HINT}"
    if isinstance(error, OperationalError | InterfaceError) and (
        "unable to open" in text or "connect" in text or "refused" in text
    ):
        return (
            f"Không kết nối được cơ sở dữ liệu ({type(error.orig or error).__name__}). "
            "Kiểm tra DATABASE_URL và máy chủ cơ sở dữ liệu."
        )
    return None
