"""The `cdsbot` command line's Typer app: each command group lives in its own module, added
here (`bot.cli` hands it out on first use)."""

from __future__ import annotations

from bot.cli import admin, ask, chat, content, db, demo, doctor, nominations, serve, units, users
from bot.cli import broadcast as broadcast_cli
from bot.cli import deadlines as deadlines_cli
from bot.cli import quiz as quiz_cli
from bot.cli.errors import RootGroup
from bot.cli.vietnamese import App

app = App(help="Trợ lý Chuyển đổi số — công cụ dòng lệnh.", cls=RootGroup)
app.command("serve", help="Chạy máy chủ: web chat, webhook và tác vụ nền.")(serve.serve)
app.command("chat", help="Trò chuyện với Trợ lý ngay trong cửa sổ dòng lệnh.")(chat.chat)
app.command("ask", help="Hỏi kho kiến thức một câu, hoặc nhiều câu qua stdin (--jsonl).")(ask.ask)
app.add_typer(content.app, name="content")
app.command("doctor", help="Kiểm tra cấu hình: cơ sở dữ liệu và các kênh Telegram, Zalo.")(
    doctor.doctor
)
app.add_typer(db.app, name="db")
app.add_typer(admin.app, name="admin")
app.add_typer(units.app, name="units")
app.add_typer(users.app, name="users")
app.add_typer(demo.app, name="demo")
app.add_typer(nominations.app, name="nominations")
app.add_typer(quiz_cli.targets_app, name="targets")
app.add_typer(quiz_cli.report_app, name="report")
app.add_typer(quiz_cli.staff_app, name="staff")
app.add_typer(deadlines_cli.app, name="deadlines")
app.command("broadcast", help="Gửi thông báo tới một nhóm người dùng (quản trị viên).")(
    broadcast_cli.broadcast
)
app.command("worker", help="Chạy bộ quét nhắc việc và bộ gửi tin như một tiến trình riêng.")(
    broadcast_cli.worker
)


def main() -> None:
    """Entry point of the `cdsbot` console script."""
    app(prog_name="cdsbot")
