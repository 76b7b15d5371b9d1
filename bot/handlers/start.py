"""/start: greeting, consent to personal-data processing, and registration as citizen or staff."""

from __future__ import annotations

from enum import StrEnum

from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, text
from bot.handlers.common import main_menu, parse_int
from bot.handlers.staff import claim_reply
from bot.handlers.unit_picker import pick_unit
from bot.handlers.validators import clean_person_name, clean_short_text
from bot.services.units import UnitView


class RegStep(StrEnum):
    """Steps of registration (stored as text: never renumber)."""

    CONSENT = "reg.consent"
    ROLE = "reg.role"
    UNIT = "reg.unit"
    NAME = "reg.name"
    POSITION = "reg.position"


def _consent_question(ctx: Context) -> Text:
    t = ctx.t
    return text(
        t("start.consent", question_days=ctx.services.settings.questions_keep_days),
        [Button(t("start.consent_yes"), "reg:consent:yes")],
        [Button(t("start.consent_no"), "reg:consent:no")],
    )


def role_question(ctx: Context) -> Text:
    """Ask whether the person is a citizen or staff."""
    t = ctx.t
    return text(
        t("start.role_question"),
        [Button(t("start.role_citizen"), "reg:role:citizen")],
        [Button(t("start.role_staff"), "reg:role:staff")],
    )


async def on_start(ctx: Context) -> list[Reply]:
    """/start [invitation code]: greet, then consent or the menu."""
    t = ctx.t
    replies: list[Reply] = []
    invite = ctx.event.args.strip()
    unit = await ctx.services.units.by_invite_code(invite) if invite else None
    if invite and unit is None:
        replies.append(Text(t("start.invite_unknown", code=invite[:64])))
    if ctx.user.registered:
        if unit is not None and unit.id != ctx.user.unit_id:
            ctx.start_flow(RegStep.ROLE, invite_unit_id=unit.id)
            replies.append(
                text(
                    t("start.join_unit_confirm", unit=unit.name),
                    [Button(t("start.join_unit_yes"), f"reg:join:{unit.id}")],
                    [Button(t("start.join_unit_no"), "cmd:menu")],
                )
            )
            return replies
        ctx.finish()
        replies.append(main_menu(ctx, t("start.welcome_back")))
        return replies
    ctx.start_flow(RegStep.CONSENT, invite_unit_id=unit.id if unit else None)
    replies.insert(0, Text(t("start.greeting")))
    replies.append(_consent_question(ctx))
    return replies


async def on_reg_action(ctx: Context) -> Reply | list[Reply]:
    """Buttons of the registration flow: reg:consent:*, reg:role:*, reg:unit:*, reg:join:*."""
    t = ctx.t
    args = ctx.action_args
    kind, value = (args + ["", ""])[:2]
    in_flow = (ctx.state.step or "").startswith("reg.")
    if kind == "consent" and ctx.state.step == RegStep.CONSENT:
        if value == "yes":
            await ctx.services.users.record_consent(ctx.user.id)
            ctx.goto(RegStep.ROLE)
            return role_question(ctx)
        ctx.finish()
        return Text(t("start.consent_declined"))
    if kind == "role" and in_flow and ctx.user.consented:
        if value == "citizen":
            await ctx.services.users.register_citizen(ctx.user.id)
            ctx.finish()
            return main_menu(ctx, t("start.citizen_done"))
        invited = ctx.state.data.get("invite_unit_id")
        unit = await ctx.services.units.get(invited) if invited else None
        if unit is not None:
            ctx.goto(RegStep.UNIT)
            return text(
                t("start.invite_unit_confirm", unit=unit.name),
                [Button(t("start.invite_unit_yes"), f"reg:unit:{unit.id}")],
                [Button(t("start.invite_unit_other"), "reg:unit:other")],
            )
        ctx.goto(RegStep.UNIT)
        return Text(t("start.unit_question"))
    if kind == "unit" and in_flow and ctx.user.consented:
        if value == "other":
            ctx.goto(RegStep.UNIT)
            return Text(t("start.unit_question"))
        unit_id = parse_int(value)
        unit = await ctx.services.units.get(unit_id) if unit_id else None
        if unit is None:
            return Text(t("common.stale_button"))
        return _unit_chosen(ctx, unit)
    if kind == "join" and ctx.user.registered:
        unit_id = parse_int(value)
        unit = await ctx.services.units.get(unit_id) if unit_id else None
        if unit is None:
            return Text(t("common.stale_button"))
        if ctx.user.kind == "staff":
            await ctx.services.users.update_profile(ctx.user.id, unit_id=unit.id)
            ctx.finish()
            return await after_unit_chosen(ctx, t("start.joined_unit", unit=unit.name), unit.name)
        ctx.goto(RegStep.NAME, unit_id=unit.id, unit_name=unit.name)
        return Text(t("start.name_question", unit=unit.name))
    return Text(t("common.stale_button"))


async def resume(ctx: Context) -> Reply | None:
    """/tieptuc during registration: the question of the current step again (None: the step has
    no question of its own to repeat, such as the offer to join an invited unit)."""
    t, data = ctx.t, ctx.state.data
    step = ctx.state.step
    if step == RegStep.CONSENT:
        return _consent_question(ctx)
    if step == RegStep.ROLE and ctx.user.consented and not ctx.user.registered:
        return role_question(ctx)
    if step == RegStep.UNIT:
        return Text(t("start.unit_question"))
    if step == RegStep.NAME and data.get("unit_name"):
        return Text(t("start.name_question", unit=data["unit_name"]))
    if step == RegStep.POSITION and data.get("full_name"):
        return Text(t("start.position_question", name=data["full_name"]))
    return None


async def on_consent_text(ctx: Context) -> Reply:
    """Typed text while the consent question is open."""
    return (
        _consent_question(ctx)
        if not ctx.text.strip()
        else text(
            ctx.t("start.consent_hint"),
            [Button(ctx.t("start.consent_yes"), "reg:consent:yes")],
            [Button(ctx.t("start.consent_no"), "reg:consent:no")],
        )
    )


async def on_role_text(ctx: Context) -> Reply:
    """Typed text while the role question is open."""
    question = role_question(ctx)
    return Text(ctx.t("start.role_hint"), question.buttons)


async def on_unit_text(ctx: Context) -> Reply:
    """The person typed part of a unit's name (or an invitation code, or a number)."""
    pick = await pick_unit(ctx, ctx.text, "reg:unit:")
    if pick.unit is None:
        assert pick.reply is not None
        return pick.reply
    return _unit_chosen(ctx, pick.unit, typed=True)


def _unit_chosen(ctx: Context, unit: UnitView, *, typed: bool = False) -> Text:
    """Go on to the name, saying which unit was chosen (and how to change it when it was taken
    from what the person typed, without a tap)."""
    ctx.goto(RegStep.NAME, unit_id=unit.id, unit_name=unit.name)
    question = ctx.t("start.name_question", unit=unit.name)
    if not typed:
        return Text(question)
    return text(
        f"{ctx.t('start.unit_taken', unit=unit.name)}\n{question}",
        [Button(ctx.t("start.unit_change"), "reg:unit:other")],
    )


async def on_name_text(ctx: Context) -> Reply:
    """The person typed their full name."""
    name = clean_person_name(ctx.text)
    if name is None:
        return Text(ctx.t("start.name_invalid"))
    ctx.goto(RegStep.POSITION, full_name=name)
    return Text(ctx.t("start.position_question", name=name))


async def on_position_text(ctx: Context) -> Reply:
    """The person typed their position: registration as staff is complete."""
    position = clean_short_text(ctx.text)
    if position is None:
        return Text(ctx.t("start.position_invalid"))
    data = ctx.state.data
    await ctx.services.users.register_staff(
        ctx.user.id, unit_id=data["unit_id"], full_name=data["full_name"], position=position
    )
    summary = ctx.t(
        "start.staff_done", name=data["full_name"], unit=data["unit_name"], position=position
    )
    ctx.finish()
    return await after_unit_chosen(ctx, summary, data["unit_name"])


async def after_unit_chosen(ctx: Context, summary: str, unit_name: str) -> Reply | list[Reply]:
    """A person became staff of a unit (registration, a new unit): say so, then start the
    confirmation that makes their results count for it (see `bot.services.staff`)."""
    claim = await ctx.services.staff.claim(ctx.user.id)
    follow = await claim_reply(ctx, claim, unit_name)
    if follow is None:
        return main_menu(ctx, summary)
    if follow.buttons:  # the roster question: its buttons are the ones to answer
        return [Text(summary), follow]
    return main_menu(ctx, f"{summary}\n\n{follow.text}")
