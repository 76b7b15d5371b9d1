"""`cdsbot users list|find|grant|revoke`: who is registered, their CHANNEL:ID, their roles."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, run
from bot.cli.vietnamese import App
from bot.services.roles import Role

if TYPE_CHECKING:
    from bot.app import BotApp
    from bot.services.users import Profile

app = App(help="Người dùng và quyền.")

KINDS = {"citizen": "người dân", "staff": "cán bộ"}
CHANNELS = "telegram, zalo_bot, zalo_oa, web, console"


def _split(ref: str) -> tuple[str, str]:
    channel, sep, external_id = ref.partition(":")
    if not sep or not channel or not external_id:
        fail(
            f"'{ref}' chưa đúng dạng KÊNH:MÃ, ví dụ telegram:123456789. "
            "Tìm KÊNH:MÃ của một người: cdsbot users find TÊN"
        )
    return channel, external_id


def _show(people: list[Profile], limit: int) -> None:
    from bot.cli.tables import console, fixed, table, text

    if not people:
        typer.echo("Không có người dùng nào khớp.")
        return
    grid = table(
        fixed("KÊNH:MÃ"),
        text("Họ và tên", 14),
        text("Đơn vị", 14),
        fixed("Loại"),
        fixed("Quyền"),
    )
    for person in people:
        grid.add_row(
            f"{person.channel}:{person.external_id}",
            person.full_name or "—",
            person.unit_name or "—",
            KINDS.get(person.kind or "", person.kind or "—"),
            ",".join(sorted(person.roles)) or "—",
        )
    out = console()
    out.print(grid)
    if len(people) >= limit:
        out.print(f"Chỉ hiện {limit} người đầu; thu hẹp bằng --channel, --role, --unit, --search.")


@app.command("list")
def list_users(
    channel: Annotated[str, typer.Option(help=f"Chỉ kênh này ({CHANNELS})")] = "",
    role: Annotated[Role | None, typer.Option(help="Chỉ người có quyền này")] = None,
    unit: Annotated[str, typer.Option(help="Mã đơn vị (gồm cả đơn vị trực thuộc)")] = "",
    search: Annotated[str, typer.Option(help="Chữ trong họ tên, chức vụ hoặc tên đơn vị")] = "",
    limit: Annotated[int, typer.Option(min=1, help="Số người hiện nhiều nhất")] = 200,
) -> None:
    """Liệt kê người đã đăng ký, mới nhất trước (KÊNH:MÃ, họ tên, đơn vị, loại, quyền)."""

    async def body(bot: BotApp) -> None:
        try:
            people = await bot.services.users.list_registered(
                channel=channel.strip().lower() or None,
                role=role,
                unit_code=unit.strip() or None,
                search=search,
                limit=limit,
            )
        except LookupError:
            fail(f"Không có đơn vị mã '{unit}'.")
        _show(people, limit)

    run(body)


@app.command("find")
def find(
    name: Annotated[str, typer.Argument(help="Vài chữ trong họ tên (có dấu hay không đều được)")],
    limit: Annotated[int, typer.Option(min=1, help="Số người hiện nhiều nhất")] = 20,
) -> None:
    """Tìm KÊNH:MÃ của một người theo tên, để cấp hoặc thu hồi quyền."""
    if not name.strip():
        fail("Hãy gõ vài chữ trong họ tên, ví dụ: cdsbot users find 'Nguyễn Văn An'")

    async def body(bot: BotApp) -> None:
        people = await bot.services.users.list_registered(search=name, limit=limit)
        _show(people, limit)
        if people:
            typer.echo("Cấp quyền: cdsbot users grant KÊNH:MÃ admin|council|manager [--unit MÃ]")

    run(body)


@app.command("grant")
def grant(
    user: Annotated[str, typer.Argument(help="KÊNH:MÃ của người dùng (xem: cdsbot users find)")],
    role: Annotated[Role, typer.Argument(help="admin | council | manager")],
    unit: Annotated[str, typer.Option(help="Mã đơn vị (bắt buộc với manager)")] = "",
) -> None:
    """Cấp quyền quản trị viên, Hội đồng thi đua hoặc lãnh đạo đơn vị."""
    channel, external_id = _split(user)

    async def body(bot: BotApp) -> None:
        from bot.services.users import UnknownUser

        try:
            added = await bot.services.users.grant(
                channel=channel, external_id=external_id, role=role, unit_code=unit or None
            )
        except UnknownUser:
            fail(
                f"Không có người dùng {user}. Người đó cần nhắn cho Trợ lý ít nhất một lần; "
                "tìm KÊNH:MÃ bằng: cdsbot users find TÊN"
            )
        except LookupError:
            fail(f"Không có đơn vị mã '{unit}'. Quyền manager cần --unit MÃ_ĐƠN_VỊ.")
        typer.echo("Đã cấp quyền." if added else "Người dùng đã có quyền này.")

    run(body)


@app.command("revoke")
def revoke(
    user: Annotated[str, typer.Argument(help="KÊNH:MÃ của người dùng")],
    role: Annotated[Role, typer.Argument(help="admin | council | manager")],
) -> None:
    """Thu hồi một quyền."""
    channel, external_id = _split(user)

    async def body(bot: BotApp) -> None:
        from bot.services.users import UnknownUser

        try:
            removed = await bot.services.users.revoke(
                channel=channel, external_id=external_id, role=role
            )
        except UnknownUser:
            fail(f"Không có người dùng {user}.")
        typer.echo(f"Đã thu hồi {removed} quyền.")

    run(body)
