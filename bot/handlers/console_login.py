"""/dangnhapweb: a one-time link to the web console for people who hold a role (admin, council,
manager). The link is the only credential chat users need: no password to create or forget."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, Text


async def send_link(ctx: Context) -> Reply:
    """Send a sign-in link valid for a few minutes and usable once; refuse people without a role."""
    console = ctx.services.console
    if not console.may_use_console(ctx.user):
        return Text(ctx.t("admin.link_no_role"))
    token = await console.issue_link(ctx.user)
    settings = ctx.services.settings
    return Text(
        ctx.t(
            "admin.link",
            url=f"{settings.console_base_url}/admin/vao/{token}",
            minutes=settings.admin_link_minutes,
        )
    )
