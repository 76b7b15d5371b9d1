"""Small helpers shared by handlers: the main menu and the unit picker."""

from __future__ import annotations

from bot.core.context import Context
from bot.core.replies import Button, Text, text


def main_menu(ctx: Context, lead: str | None = None) -> Text:
    """The main menu, optionally after a leading sentence."""
    t = ctx.t
    rows = [
        [Button(t("menu.learn"), "cmd:hoidap")],
        [Button(t("menu.ask"), "menu:ask")],
        [Button(t("menu.quiz"), "cmd:kiemtra")],
        [Button(t("menu.nominate"), "cmd:decu")],
        [Button(t("menu.deadlines"), "cmd:lichhan")],
        [Button(t("menu.profile"), "cmd:hoso")],
    ]
    message = t("menu.title") if lead is None else f"{lead}\n\n{t('menu.title')}"
    return text(message, *rows)


async def unit_choices(
    ctx: Context, query: str, action_prefix: str, *, choose_key: str = "start.unit_choose"
) -> Text:
    """Search units by what the person typed and offer the matches as buttons.

    `action_prefix` + unit id becomes each button's action (e.g. "reg:unit:" → "reg:unit:12");
    `choose_key` is the catalog message that introduces the matches.
    """
    t = ctx.t
    found = await ctx.services.units.search(query, limit=8)
    if not found.units:
        return Text(t("start.unit_not_found", query=query.strip()[:60]))
    buttons = [[Button(unit.name, f"{action_prefix}{unit.id}")] for unit in found.units]
    if found.total > len(found.units):
        lead = t(
            "start.unit_too_many",
            total=found.total,
            query=query.strip()[:60],
            shown=len(found.units),
        )
    else:
        lead = t(choose_key)
    return text(lead, *buttons)


def parse_int(value: str) -> int | None:
    """An id from a button action, or None if it was tampered with."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
