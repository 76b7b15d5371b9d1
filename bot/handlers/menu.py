"""/menu, /trogiup and the answer to free text when no other feature takes it."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Reply, Text
from bot.handlers.common import main_menu


async def show_menu(ctx: Context) -> Reply:
    """/menu: the main menu."""
    return main_menu(ctx)


async def show_help(ctx: Context) -> Reply:
    """/trogiup: every command in one message."""
    return Text(ctx.t("menu.help"))


async def on_menu_action(ctx: Context) -> Reply:
    """Menu buttons that are not plain commands ("menu:ask")."""
    if ctx.action_args[:1] == ["ask"]:
        ctx.finish()
        return Text(ctx.t("menu.ask_prompt"))
    return Text(ctx.t("common.stale_button"))


async def on_free_text(ctx: Context) -> Reply:
    """Free text outside any flow, before a feature claims it."""
    return main_menu(ctx, ctx.t("menu.fallback"))
