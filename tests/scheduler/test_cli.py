"""`cdsbot deadlines …`, `cdsbot broadcast …` and `cdsbot worker --once` end to end, with the fake
Telegram Bot API as the platform."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.app import BotApp
from bot.cli import app as cli
from bot.config import Settings, get_settings
from tests.fakes.telegram_api import FakeTelegram
from tests.helpers.tables import table_rows
from tests.scheduler.conftest import TOKEN
from tests.scheduler.helpers import person

runner = CliRunner()

DEADLINES = """
deadlines:
  - code: bao-cao-q2
    title: Nộp báo cáo chuyển đổi số quý II
    due_in_days: 1
    audience: {kind: units, units: [SYT], subunits: true}
    offsets: [2d]
  - code: cap-nhat-du-lieu
    title: Cập nhật dữ liệu mở
    due: 31/12/2030 17:00
    audience: {kind: all_staff}
"""


@pytest.fixture
def env(settings: Settings, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The CLI's settings (from the environment): a test database and the fake Telegram; quiet
    hours off, because the CLI runs on the real clock."""
    values = {
        "DATABASE_URL": settings.resolved_database_url,
        "DATA_DIR": str(settings.data_dir),
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": fake.base_url,
        "QUIET_HOURS_START": "0",
        "QUIET_HOURS_END": "0",
        "TELEGRAM_RATE_PER_SECOND": "200",
        "COLUMNS": "200",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)
    assert invoke("units", "import", "bot/demo/units.csv").exit_code == 0
    return get_settings(_env_file=None)


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(cli, list(args))


def people(settings: Settings) -> None:
    """Two staff of the health department, one of them blocked the bot; one elsewhere."""

    async def body() -> None:
        bot = BotApp.build(settings)
        await person(bot, "501", unit="SYT")
        await person(bot, "502", unit="BVDK-TAYNGUYEN")  # under SYT
        await person(bot, "503", unit="SKHCN")
        await bot.close()

    asyncio.run(body())


def test_deadlines_import_sweep_send_and_report(
    env: Settings, fake: FakeTelegram, tmp_path: Path
) -> None:
    people(env)
    fake.configure(blocked_chats=[502])
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "deadlines:\n  - code: x y\n    title: ''\n    due: 31/02/2026\n"
        "    audience: {kind: units, units: [KHONGCO]}\n",
        encoding="utf-8",
    )
    result = invoke("deadlines", "import", str(bad))
    assert result.exit_code == 1
    assert f"{bad}: không nạp được" in result.output
    assert "Dòng 2, mục 1 (x y): mã (code) chỉ gồm" in result.output
    assert "Dòng 4, mục 1 (x y): hạn (due) '31/02/2026' chưa đúng" in result.output

    good = tmp_path / "deadlines.yaml"
    good.write_text(DEADLINES, encoding="utf-8")
    result = invoke("deadlines", "import", str(good))
    assert result.exit_code == 0, result.output
    assert "2 hạn mới" in result.output
    assert "bao-cao-q2" in invoke("deadlines", "list").output

    result = invoke("worker", "--once")
    assert result.exit_code == 0, result.output
    assert [m["chat_id"] for m in fake.messages] == [501]
    assert fake.messages[0]["text"].startswith("⏰ Còn 1 ngày")

    report = invoke("deadlines", "report", "bao-cao-q2").output
    assert "Người được nhắc: 2" in report and "đã nhận được ít nhất một tin: 1" in report
    assert "người nhận đã chặn Trợ lý: 1" in report
    assert invoke("deadlines", "cancel", "bao-cao-q2").exit_code == 0
    assert "đã hủy" in invoke("deadlines", "list").output
    assert invoke("deadlines", "cancel", "khong-co").exit_code == 1


def test_deadline_add_checks_what_is_typed(env: Settings) -> None:
    def add_q3(due: str, audience: str, *more: str):  # type: ignore[no-untyped-def]
        title = ("--title", "Báo cáo quý III")
        return invoke("deadlines", "add", "q3", *title, "--due", due, "--audience", audience, *more)

    result = add_q3("31/9/2026", "all-staff")
    assert result.exit_code == 1 and "'31/9/2026' chưa đúng" in result.output
    result = add_q3("30/09/2026 17:00", "under:KHONGCO")
    assert result.exit_code == 1 and "Không có đơn vị mã 'KHONGCO'" in result.output
    result = add_q3("30/09/2099 17:00", "under:SYT", "--offsets", "3d,morning")
    assert result.exit_code == 0 and "Đã thêm hạn q3" in result.output
    result = add_q3("2099-09-30", "under:SYT")
    assert result.exit_code == 0 and "(hạn 17:00 30/09/2099)" in result.output  # ISO works too


def test_a_deadline_in_the_past_is_confirmed_or_refused(env: Settings, tmp_path: Path) -> None:
    past = ("deadlines", "add", "cu", "--title", "Việc cũ", "--due", "01/01/2020 17:00")
    result = runner.invoke(cli, [*past, "--audience", "all-staff"], input="n\n")
    assert (
        result.exit_code == 1 and "Hạn đã qua" in result.output and "Chưa lưu gì" in result.output
    )
    assert "Chưa có hạn nào" in invoke("deadlines", "list").output
    result = runner.invoke(cli, [*past, "--audience", "all-staff"], input="y\n")
    assert result.exit_code == 0 and "Đã thêm hạn cu" in result.output
    result = invoke(*past, "--audience", "managers", "--yes")
    assert result.exit_code == 0 and "Đã cập nhật hạn cu" in result.output

    old = tmp_path / "cu.yaml"
    old.write_text(
        "deadlines:\n  - code: cu2\n    title: Cũ\n    due: 2020-01-01\n"
        "    audience: all-staff\n",  # the names of --audience work in files too
        encoding="utf-8",
    )
    result = runner.invoke(cli, ["deadlines", "import", str(old)], input="\n")
    assert (
        result.exit_code == 1 and "Dòng 4, mục 1 (cu2): Cũ (hạn 17:00 01/01/2020)" in result.output
    )
    result = invoke("deadlines", "import", str(old), "--yes")
    assert result.exit_code == 0 and "1 hạn mới" in result.output


def test_deadlines_list_shows_each_state_with_whole_dates_at_80_columns(env: Settings) -> None:
    title = "Nộp báo cáo tổng kết phong trào thi đua chuyển đổi số của toàn tỉnh năm 2099"
    for code, due in (("sap-toi", "31/12/2099 17:00"), ("da-qua", "01/01/2020 08:30")):
        args = ("--title", title, "--due", due, "--audience", "all-staff", "--yes")
        assert invoke("deadlines", "add", code, *args).exit_code == 0
    assert invoke("deadlines", "add", "huy", *args).exit_code == 0
    assert invoke("deadlines", "cancel", "huy").exit_code == 0
    result = runner.invoke(cli, ["deadlines", "list"], env={"COLUMNS": "80"})
    assert max(len(line) for line in result.output.splitlines()) <= 80
    rows = {row[0]: row for row in table_rows(result.output) if row[0]}
    assert rows["sap-toi"][1] == "17:00 31/12/2099" and rows["sap-toi"][-1] == "sắp tới"
    assert rows["da-qua"][1] == "08:30 01/01/2020" and rows["da-qua"][-1] == "đã qua"
    assert rows["huy"][-1] == "đã hủy"


def test_broadcast_dry_run_then_send_with_a_summary(
    env: Settings, fake: FakeTelegram, tmp_path: Path
) -> None:
    people(env)
    fake.configure(blocked_chats=[503])
    message = tmp_path / "thong-bao.txt"
    message.write_text("Hội nghị sơ kết phong trào thi đua lúc 8:00 ngày 15/12.\n", "utf-8")
    result = invoke(
        "broadcast", "--audience", "all-staff", "--text-file", str(message), "--dry-run"
    )
    assert result.exit_code == 0, result.output
    assert "toàn bộ cán bộ, công chức, viên chức — 3 người (telegram: 3)" in result.output
    assert "Chạy thử" in result.output and fake.messages == []

    result = invoke("broadcast", "--audience", "all-staff", "--text-file", str(message))
    assert result.exit_code == 0, result.output
    assert "Kết quả: 2/3 tin đã gửi" in result.output
    assert "Không gửi được (người nhận đã chặn Trợ lý): 1" in result.output
    assert sorted(m["chat_id"] for m in fake.messages) == [501, 502]
    assert fake.messages[0]["text"].startswith("📢 Thông báo\nHội nghị sơ kết")

    empty = tmp_path / "rong.txt"
    empty.write_text("  \n", "utf-8")
    result = invoke("broadcast", "--audience", "all-staff", "--text-file", str(empty))
    assert result.exit_code == 1 and "trống" in result.output
    result = invoke("broadcast", "--audience", "phong-ban", "--text-file", str(message))
    assert result.exit_code == 1 and "chưa đúng" in result.output


def test_broadcast_progress_counts_what_another_process_sends(
    env: Settings, fake: FakeTelegram, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line cannot send on Telegram here (no token), a running server can: the
    progress and the summary come from the outbox, so they show what the server sent."""
    people(env)
    fake.configure(blocked_chats=[503])
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    stop = threading.Event()
    server = threading.Thread(target=_separate_sender, args=(env, stop), daemon=True)
    server.start()
    message = tmp_path / "thong-bao.txt"
    message.write_text("Họp giao ban chuyển đổi số lúc 14:00 thứ Sáu.\n", "utf-8")
    try:
        result = invoke("broadcast", "--audience", "all-staff", "--text-file", str(message))
    finally:
        stop.set()
        server.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert "Tin qua telegram do máy chủ hoặc worker đang chạy gửi" in result.output
    assert "3/3" in result.output  # the bar reached the end
    assert "Kết quả: 2/3 tin đã gửi, 0 tin đang chờ." in result.output
    assert "Không gửi được (người nhận đã chặn Trợ lý): 1" in result.output
    assert sorted(m["chat_id"] for m in fake.messages) == [501, 502]


def _separate_sender(settings: Settings, stop: threading.Event) -> None:
    """A sender of its own (as in `cdsbot serve` or `cdsbot worker`), in its own thread."""
    from bot.scheduler.jobs import channel_senders

    async def body() -> None:
        bot = BotApp.build(settings)
        senders = channel_senders(bot)
        sender = bot.services.reminders.sender(senders)
        while not stop.is_set():
            await sender.drain()
            await asyncio.sleep(0.1)
        for channel in senders.values():
            await channel.close()  # type: ignore[attr-defined]
        await bot.close()

    asyncio.run(body())
