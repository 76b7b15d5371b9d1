"""Small helpers shared by handlers: the main menu and button ids."""

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


def parse_int(value: str) -> int | None:
    """An id from a button action, or None if it was tampered with."""
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None
