"""/tieptuc: show again what an unfinished flow is waiting for (after reloading the web page,
on another device, or after a long pause), so the next typed text is not a surprise."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.context import Context
from bot.core.replies import Button, Reply, text
from bot.core.router import Handler
from bot.core.state import flow_name, flow_of
from bot.handlers.common import main_menu


def resume_command(resumers: Mapping[str, Handler]) -> Handler:
    """The /tieptuc handler: a flow's own resumer re-asks its question; a flow without one (or
    whose resumer returns None) gets its name and the choices it last offered."""

    async def on_resume(ctx: Context) -> Reply | list[Reply] | None:
        step = ctx.state.step
        if not step:
            return main_menu(ctx, ctx.t("flows.nothing_open"))
        own = resumers.get(flow_of(step))
        if own is not None:
            replies = await own(ctx)
            if replies is not None:
                return replies
        rows = [[Button(label, action)] for label, action in ctx.state.menu]
        return text(ctx.t("flows.still_open", name=flow_name(ctx.t, step)), *rows)

    return on_resume
