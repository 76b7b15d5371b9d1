"""`cdsbot users list|grant|revoke`: who has which role."""

from __future__ import annotations

import typer

from bot.app import BotApp
from bot.cli._common import fail, run
from bot.services.users import Role, UnknownUser

app = typer.Typer(help="Người dùng và quyền.", no_args_is_help=True)


def _split(ref: str) -> tuple[str, str]:
    channel, sep, external_id = ref.partition(":")
    if not sep or not channel or not external_id:
        fail(f"'{ref}' chưa đúng dạng KÊNH:MÃ, ví dụ telegram:123456789 hoặc web:w3f9…")
    return channel, external_id


@app.command("list")
def list_users() -> None:
    """Liệt kê người đã đăng ký (KÊNH:MÃ, vai trò, đơn vị, quyền)."""

    async def body(bot: BotApp) -> None:
        for person in await bot.services.users.list_registered():
            roles = ",".join(sorted(person.roles)) or "-"
            typer.echo(
                f"{person.channel}:{person.external_id}\t{person.kind}\t"
                f"{person.full_name or ''}\t{person.unit_name or ''}\t{roles}"
            )

    run(body)


@app.command("grant")
def grant(
    user: str = typer.Argument(..., help="KÊNH:MÃ của người dùng"),
    role: Role = typer.Argument(..., help="admin | council | manager"),
    unit: str = typer.Option("", help="Mã đơn vị (bắt buộc với manager)"),
) -> None:
    """Cấp quyền quản trị viên, Hội đồng thi đua hoặc lãnh đạo đơn vị."""
    channel, external_id = _split(user)

    async def body(bot: BotApp) -> None:
        try:
            added = await bot.services.users.grant(
                channel=channel, external_id=external_id, role=role, unit_code=unit or None
            )
        except UnknownUser:
            fail(f"Không có người dùng {user}. Người đó cần nhắn cho Trợ lý ít nhất một lần.")
        except LookupError:
            fail(f"Không có đơn vị mã '{unit}'. Quyền manager cần --unit MÃ_ĐƠN_VỊ.")
        typer.echo("Đã cấp quyền." if added else "Người dùng đã có quyền này.")

    run(body)


@app.command("revoke")
def revoke(
    user: str = typer.Argument(..., help="KÊNH:MÃ của người dùng"),
    role: Role = typer.Argument(..., help="admin | council | manager"),
) -> None:
    """Thu hồi một quyền."""
    channel, external_id = _split(user)

    async def body(bot: BotApp) -> None:
        try:
            removed = await bot.services.users.revoke(
                channel=channel, external_id=external_id, role=role
            )
        except UnknownUser:
            fail(f"Không có người dùng {user}.")
        typer.echo(f"Đã thu hồi {removed} quyền.")

    run(body)
