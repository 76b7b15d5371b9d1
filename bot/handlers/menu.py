"""/menu and /trogiup."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, Text
from bot.handlers.common import main_menu


async def show_menu(ctx: Context) -> Reply:
    """/menu: the main menu."""
    return main_menu(ctx)


async def show_help(ctx: Context) -> Reply:
    """/trogiup: every command in one message (council and console commands only for those who
    hold the role)."""
    parts = [ctx.t("menu.help"), ctx.tc("menu.help_choices")]
    if ctx.user.is_council:
        parts.append(f"\n{ctx.t('menu.help_council')}")
    if ctx.services.console.may_use_console(ctx.user):
        parts.append(f"\n{ctx.t('menu.help_console')}")
    return Text("\n".join(parts))


async def on_menu_action(ctx: Context) -> Reply:
    """Menu buttons that are not plain commands ("menu:ask")."""
    if ctx.action_args[:1] == ["ask"]:
        ctx.finish()
        return Text(ctx.t("menu.ask_prompt"))
    return Text(ctx.t("common.stale_button"))
