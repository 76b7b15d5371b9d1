"""Finding a unit by what the person typed, shared by registration, the profile and nominations.

Rules (a wrong commune must never be chosen silently):
- while a list of units is open, a number never becomes a search term: one in range picks that
  unit (the engine does it), one out of range gets "chọn từ 1 đến N" with the list again;
- the unit typed exactly (its full name, diacritics optional, or its code or invitation code) is
  taken without a tap when only one unit has that name, and the reply says which one;
- a search that finds nothing keeps the open list on screen, so that "1" still means its first.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.context import Context
from bot.core.replies import Button, Text, text
from bot.services.units import UnitView

MAX_SHOWN = 8


@dataclass(frozen=True, slots=True)
class UnitPick:
    """Either the unit the person meant (`unit`) or what to show them instead (`reply`)."""

    unit: UnitView | None = None
    reply: Text | None = None


def _open_list(ctx: Context, action_prefix: str) -> list[list[str]]:
    """The units offered by the newest message with choices, if that message is a unit list."""
    menu = ctx.state.menu
    if menu and all(action.startswith(action_prefix) for _, action in menu):
        return menu
    return []


def _again(lead: str, offered: list[list[str]]) -> Text:
    return text(lead, *[[Button(label, action)] for label, action in offered])


def _number(typed: str) -> int | None:
    typed = typed.strip().rstrip(".)")
    return int(typed) if typed.isascii() and typed.isdigit() and len(typed) < 6 else None


async def pick_unit(
    ctx: Context, query: str, action_prefix: str, *, choose_key: str = "start.unit_choose"
) -> UnitPick:
    """The unit `query` names, or the reply that helps the person choose one.

    `action_prefix` + unit id is each offered button's action (e.g. "reg:unit:" → "reg:unit:12");
    `choose_key` is the catalog message that introduces a list.
    """
    t = ctx.t
    offered = _open_list(ctx, action_prefix)
    shown_query = query.strip()[:60]
    number = _number(query)
    if number is not None and offered:
        if 1 <= number <= len(offered):  # normally turned into the button by the engine
            unit = await ctx.services.units.get(int(offered[number - 1][1].rsplit(":", 1)[1]))
            if unit is not None:
                return UnitPick(unit=unit)
        lead = (
            t("start.unit_pick_range", count=len(offered))
            if len(offered) > 1
            else t("start.unit_pick_one")
        )
        return UnitPick(reply=_again(lead, offered))
    found = await ctx.services.units.search(query, limit=MAX_SHOWN)
    if found.only_exact is not None:
        return UnitPick(unit=found.only_exact)
    if number is not None:  # not a code either: "1" must not offer "Xã Phú Hòa 1"
        return UnitPick(reply=Text(t("start.unit_number", query=shown_query)))
    if not found.units:
        if offered:
            return UnitPick(
                reply=_again(t("start.unit_not_found_keep", query=shown_query), offered)
            )
        return UnitPick(reply=Text(t("start.unit_not_found", query=shown_query)))
    buttons = [[Button(unit.name, f"{action_prefix}{unit.id}")] for unit in found.units]
    if found.total > len(found.units):
        lead = t(
            "start.unit_too_many", total=found.total, query=shown_query, shown=len(found.units)
        )
    else:
        lead = t(choose_key)
    return UnitPick(reply=text(lead, *buttons))
