"""Expected errors on the command line: one Vietnamese line and a non-zero exit, never a
traceback; no database invented outside the project folder; empty settings mean "not set";
`db upgrade` says what it applied; typer's own words in Vietnamese."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.config import Settings, get_settings
from bot.storage.migrate import head_revisions, upgrade

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def _outside(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`cdsbot ARGS` run from a folder that is not the project's, with no database settings."""
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DATA_DIR")}
    return subprocess.run(
        [sys.executable, "-c", "from bot.entry import main; main()", *args],
        cwd=tmp_path,
        env={**clean, "PYTHONPATH": str(ROOT), "COLUMNS": "200", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args", [("users", "list"), ("deadlines", "list"), ("targets", "show", "X"), ("demo", "load")]
)
def test_outside_the_project_nothing_is_created_and_the_way_out_is_said(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = _outside(tmp_path, *args)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr and "Error" not in done.stderr
    expected = tmp_path / "data" / "cdsbot.db"
    assert f"Chưa có cơ sở dữ liệu ở {expected}" in done.stderr
    assert "cdsbot db upgrade" in done.stderr and "DATABASE_URL" in done.stderr
    assert not expected.exists()


def test_a_database_without_our_tables_gets_the_upgrade_hint(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    done = _outside(tmp_path, "users", "list", DATABASE_URL="sqlite:///empty.db")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "chưa được tạo bảng" in done.stderr and "cdsbot db upgrade" in done.stderr


def test_upgrade_says_what_it_applied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    where = tmp_path / "data" / "cdsbot.db"
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert f"Đã tạo cơ sở dữ liệu mới ở {where}" in result.output
    assert "đã ở phiên bản mới nhất" not in result.output
    result = runner.invoke(cli, ["db", "upgrade"])
    [head] = head_revisions()
    assert f"đã ở phiên bản mới nhất ({head})" in result.output

    older = tmp_path / "older.db"
    upgrade(f"sqlite+aiosqlite:///{older}", "0007_merge_features")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{older}")
    result = runner.invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    applied = _revisions_after("0007_merge_features")
    assert applied[-1] == head
    assert (
        f"Đã cập nhật cơ sở dữ liệu ở {older}: áp dụng {len(applied)} bản cập nhật "
        f"({', '.join(applied)})" in result.output
    )


def _revisions_after(base: str) -> list[str]:
    """The migrations that come after `base`, oldest first."""
    from alembic.script import ScriptDirectory

    from bot.storage.migrate import alembic_config

    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite:///:memory:"))
    return [rev.revision for rev in reversed(list(script.walk_revisions(base, "heads")))][1:]


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("DATA_DIR", str(settings.data_dir))
    return settings


def test_files_that_cannot_be_written_or_read_give_one_line(env: Settings, tmp_path: Path) -> None:
    blocker = tmp_path / "khong-phai-thu-muc"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["report", "targets", "--xlsx", str(blocker / "bao-cao.xlsx")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert result.output.strip() == (
        f"Không dùng được tệp {blocker}: đã có một tệp trùng tên với thư mục cần tạo."
    )

    latin1 = tmp_path / "don-vi.csv"
    latin1.write_bytes(b"code,name\nA,S\xf4 Y t\xe9\n")
    result = runner.invoke(cli, ["units", "import", str(latin1)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert f"Tệp {latin1} không phải văn bản UTF-8" in result.output

    result = runner.invoke(cli, ["units", "import", str(tmp_path / "khong-co.csv")])
    assert result.exit_code == 2 and "không tồn tại" in result.output
    assert "does not exist" not in result.output


def test_a_bad_date_is_one_line_whatever_the_command(env: Settings) -> None:
    for args, shown in (
        (["deadlines", "add", "q", "--title", "T", "--due", "31/02/2026", "--audience", "managers"],
         "Hạn '31/02/2026' chưa đúng"),
        (["targets", "add", "T", "--title", "T", "--unit", "SYT", "--sets", "a", "--from",
          "2026-13-01", "--due", "30/06/2026"], "Ngày bắt đầu (--from) '2026-13-01' chưa đúng"),
        (["content", "unanswered", "--since", "hôm qua"], "Ngày (--since) 'hôm qua' chưa đúng"),
    ):  # fmt: skip
        result = runner.invoke(cli, args)
        assert result.exit_code == 1, result.output
        assert isinstance(result.exception, SystemExit)
        assert result.output.startswith(shown) and len(result.output.strip().splitlines()) == 1


def test_empty_settings_mean_not_set(
    env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "")
    (tmp_path / ".env").write_text("ZALO_BOT_TOKEN=\nZALO_BOT_WEBHOOK_SECRET=\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    settings = get_settings()
    assert settings.telegram_bot_token is None and settings.telegram_webhook_secret is None
    assert settings.zalo_bot_token is None and settings.zalo_bot_webhook_secret is None
    result = runner.invoke(cli, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "Chưa cấu hình kênh Telegram hay Zalo nào" in result.output


def test_typer_speaks_vietnamese() -> None:
    result = runner.invoke(cli, ["deadlines", "add", "--help"], env={"COLUMNS": "120"})
    for english in ("Usage", "Options", "Arguments", "Show this message", "[default", "required"):
        assert english not in result.output
    for vietnamese in ("Cách dùng:", "Tùy chọn", "Tham số", "Xem hướng dẫn này", "[bắt buộc]"):
        assert vietnamese in result.output
    assert "Lệnh" in runner.invoke(cli, ["--help"]).output
    result = runner.invoke(cli, ["usrs"])
    assert result.exit_code == 2 and "Không có lệnh 'usrs'" in result.output
    assert "Có phải ý anh/chị là 'users'" in result.output
    result = runner.invoke(cli, ["users", "grant", "telegram:1", "vua"])
    assert "'vua' không thuộc: admin, council, manager" in result.output
    result = runner.invoke(cli, ["deadlines", "add", "q", "--title", "T"])
    assert "Thiếu tùy chọn '--due'" in result.output


def test_a_setting_the_bot_refuses_is_named(env: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_PORT", "tám nghìn")
    monkeypatch.setenv("TELEGRAM_WEBHOOK_SECRET", "changethis")
    result = runner.invoke(cli, ["users", "list"])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Cấu hình WEB_PORT chưa đúng: cần một số nguyên." in result.output
    assert (
        "Cấu hình TELEGRAM_WEBHOOK_SECRET chưa đúng: đặt một giá trị bí mật thật" in result.output
    )
