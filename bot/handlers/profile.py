"""/hoso (see and edit one's profile) and /xoadulieu (delete one's personal data)."""

from __future__ import annotations

from enum import StrEnum

from bot.core.clock import fmt_date
from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, text
from bot.handlers.common import parse_int
from bot.handlers.start import RegStep, after_unit_chosen, role_question
from bot.handlers.unit_picker import pick_unit
from bot.handlers.validators import clean_person_name, clean_short_text
from bot.services.users import Profile


class ProfileStep(StrEnum):
    """Steps of profile editing (stored as text: never renumber)."""

    NAME = "profile.name"
    POSITION = "profile.position"
    UNIT = "profile.unit"


async def show_profile(ctx: Context) -> Reply:
    """/hoso: what the bot knows about the person, with edit buttons."""
    ctx.finish()
    return _card(ctx, ctx.user)


async def _updated(ctx: Context, message: str) -> list[Reply]:
    """Confirm a change and show the profile as it is now."""
    ctx.finish()
    fresh = await ctx.services.users.get(ctx.user.id)
    return [Text(message), _card(ctx, fresh or ctx.user)]


def _card(ctx: Context, user: Profile) -> Text:
    t = ctx.t
    consent = fmt_date(user.consent_at, ctx.services.settings.tz) if user.consent_at else ""
    if user.kind == "staff":
        summary = t(
            "profile.summary_staff",
            name=user.full_name or "",
            unit=user.unit_name or "",
            position=user.position or "",
            consent_date=consent,
        )
        rows = [
            [Button(t("profile.edit_name"), "prof:edit:name")],
            [Button(t("profile.edit_position"), "prof:edit:position")],
            [Button(t("profile.edit_unit"), "prof:edit:unit")],
        ]
        if user.unit_id is not None:
            summary += "\n" + t(
                "staff.status_confirmed" if user.staff_confirmed else "staff.status_pending"
            )
            if not user.staff_confirmed:
                rows.insert(0, [Button(t("staff.verify_button"), "stf:start")])
    else:
        summary = t("profile.summary_citizen", consent_date=consent)
        rows = []
    roles = [t(f"profile.role_{role}") for role in sorted(user.roles)]
    if roles:
        summary += "\n" + t("profile.roles_line", roles=", ".join(roles))
    rows += [
        [Button(t("profile.edit_role"), "prof:edit:role")],
        [Button(t("profile.erase"), "cmd:xoadulieu")],
    ]
    return text(summary, *rows)


async def on_profile_action(ctx: Context) -> Reply | list[Reply]:
    """Buttons prof:edit:* and prof:unit:<id>."""
    t = ctx.t
    kind, value = (ctx.action_args + ["", ""])[:2]
    if kind == "edit":
        if value == "name" and ctx.user.kind == "staff":
            ctx.start_flow(ProfileStep.NAME)
            return Text(t("profile.name_question"))
        if value == "position" and ctx.user.kind == "staff":
            ctx.start_flow(ProfileStep.POSITION)
            return Text(t("profile.position_question"))
        if value == "unit" and ctx.user.kind == "staff":
            ctx.start_flow(ProfileStep.UNIT)
            return Text(t("start.unit_question"))
        if value == "role":
            ctx.start_flow(RegStep.ROLE)
            return role_question(ctx)
    if kind == "unit" and ctx.state.step == ProfileStep.UNIT:
        unit_id = parse_int(value)
        unit = await ctx.services.units.get(unit_id) if unit_id else None
        if unit is not None:
            await ctx.services.users.update_profile(ctx.user.id, unit_id=unit.id)
            ctx.finish()
            return await after_unit_chosen(ctx, t("start.joined_unit", unit=unit.name), unit.name)
    return Text(t("common.stale_button"))


async def on_name_text(ctx: Context) -> Reply | list[Reply]:
    """A new full name."""
    name = clean_person_name(ctx.text)
    if name is None:
        return Text(ctx.t("start.name_invalid"))
    await ctx.services.users.update_profile(ctx.user.id, full_name=name)
    return await _updated(ctx, ctx.t("profile.updated"))


async def on_position_text(ctx: Context) -> Reply | list[Reply]:
    """A new position."""
    position = clean_short_text(ctx.text)
    if position is None:
        return Text(ctx.t("start.position_invalid"))
    await ctx.services.users.update_profile(ctx.user.id, position=position)
    return await _updated(ctx, ctx.t("profile.updated"))


async def on_unit_text(ctx: Context) -> Reply | list[Reply]:
    """Part of the new unit's name (the unit typed exactly is taken, and said)."""
    pick = await pick_unit(ctx, ctx.text, "prof:unit:")
    if pick.unit is None:
        assert pick.reply is not None
        return pick.reply
    await ctx.services.users.update_profile(ctx.user.id, unit_id=pick.unit.id)
    ctx.finish()
    # a new unit starts a new confirmation (see `bot.services.staff`)
    return await after_unit_chosen(
        ctx, ctx.t("start.joined_unit", unit=pick.unit.name), pick.unit.name
    )


async def ask_erase(ctx: Context) -> Reply:
    """/xoadulieu: confirm before deleting."""
    t = ctx.t
    return text(
        t("profile.erase_confirm"),
        [Button(t("profile.erase_yes"), "erase:yes")],
        [Button(t("profile.erase_no"), "erase:no")],
    )


async def on_erase_action(ctx: Context) -> Reply:
    """erase:yes / erase:no."""
    if ctx.action_args[:1] == ["yes"]:
        await ctx.services.users.erase(ctx.user.id)
        ctx.forget_conversation()
        return Text(ctx.t("profile.erased"))
    return Text(ctx.t("profile.erase_kept"))
