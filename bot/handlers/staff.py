"""Confirming staff for their unit: the person's side (roster proof or asking a manager) and the
manager's Đúng/Không buttons.

Buttons: stf:ok:<user>:<unit>, stf:no:<user>:<unit>, stf:force:<user>:<unit> (past the
headcount), stf:ask (the person asks a manager), stf:start (from /hoso), stf:later.
"""

from __future__ import annotations

from enum import StrEnum

from bot.core.context import Context
from bot.core.replies import Button, Reply, Text, text
from bot.handlers.common import parse_int
from bot.services.staff import Claim, Decision

MAX_PROOF_TRIES = 3


class StaffStep(StrEnum):
    """Steps of the confirmation (stored as text: never renumber)."""

    PROOF = "staff.proof"


def _proof_buttons(ctx: Context) -> list[list[Button]]:
    t = ctx.t
    return [
        [Button(t("staff.proof_button_manager"), "stf:ask")],
        [Button(t("staff.proof_button_later"), "stf:later")],
    ]


async def claim_reply(ctx: Context, claim: Claim, unit_name: str) -> Text | None:
    """What a person is told after registering as staff or changing unit (None: nothing)."""
    t = ctx.t
    if claim is Claim.ASK_PROOF:
        ctx.start_flow(StaffStep.PROOF, tries=0)
        return text(t("staff.ask_proof", unit=unit_name), *_proof_buttons(ctx))
    if claim in (Claim.PENDING, Claim.NO_MANAGER, Claim.REJECTED, Claim.CONFIRMED):
        return Text(t(f"staff.{claim.value}", unit=unit_name))
    return None


async def on_proof_text(ctx: Context) -> Reply:
    """The person typed the phone number, e-mail or staff code of their roster entry. It is
    compared and forgotten: never stored in the conversation nor repeated back."""
    t = ctx.t
    unit = ctx.user.unit_name or ""
    claim = await ctx.services.staff.prove(ctx.user.id, ctx.text)
    if claim is not None:
        ctx.finish()
        reply = await claim_reply(ctx, claim, unit)
        return reply or Text(t("common.stale_button"))
    tries = int(ctx.state.data.get("tries", 0)) + 1
    if tries >= MAX_PROOF_TRIES:
        ctx.finish()
        claim = await ctx.services.staff.ask_managers(ctx.user.id)
        return (await claim_reply(ctx, claim, unit)) or Text(t("common.stale_button"))
    ctx.goto(StaffStep.PROOF, tries=tries)
    return text(t("staff.proof_wrong", left=MAX_PROOF_TRIES - tries), *_proof_buttons(ctx))


async def on_action(ctx: Context) -> Reply | list[Reply]:
    """Every stf:* button."""
    t = ctx.t
    args = ctx.action_args
    kind = args[0] if args else ""
    unit = ctx.user.unit_name or ""
    if kind == "ask":
        ctx.finish()
        claim = await ctx.services.staff.ask_managers(ctx.user.id)
        return (await claim_reply(ctx, claim, unit)) or Text(t("common.stale_button"))
    if kind == "start":
        claim = await ctx.services.staff.claim(ctx.user.id)
        return (await claim_reply(ctx, claim, unit)) or Text(t("common.stale_button"))
    if kind == "later":
        ctx.finish()
        return Text(t("staff.later"))
    if kind in ("ok", "no", "force") and len(args) == 3:
        return await _decide(ctx, kind, parse_int(args[1]), parse_int(args[2]))
    return Text(t("common.stale_button"))


async def _decide(
    ctx: Context, kind: str, user_id: int | None, unit_id: int | None
) -> Reply | list[Reply]:
    """A manager's answer; only managers of the unit (or above it) and administrators."""
    t = ctx.t
    if user_id is None or unit_id is None or not (ctx.user.is_manager or ctx.user.is_admin):
        return Text(t("common.stale_button"))
    result = await ctx.services.staff.decide(
        ctx.user, user_id, unit_id, approve=kind != "no", force=kind == "force"
    )
    values = {
        "name": result.name,
        "unit": result.unit_name,
        "counted": result.counted,
        "headcount": result.headcount,
    }
    if result.decision is Decision.STALE:
        return Text(t("common.stale_button"))
    if result.decision is Decision.NOT_ALLOWED:
        return Text(t("staff.not_allowed"))
    if result.decision is Decision.OVER_HEADCOUNT:
        return text(
            t("staff.over_headcount", **values),
            [Button(t("staff.force_button"), f"stf:force:{user_id}:{unit_id}")],
            [Button(t("staff.reject_button"), f"stf:no:{user_id}:{unit_id}")],
            [Button(t("staff.cancel_button"), "cmd:donvi")],
        )
    confirmed = result.decision is Decision.CONFIRMED
    ctx.notify(
        result.channel,
        result.external_id,
        Text(t("staff.notice_confirmed" if confirmed else "staff.notice_rejected", **values)),
    )
    key = "staff.decided_confirmed" if confirmed else "staff.decided_rejected"
    replies: list[Reply] = [Text(t(key, **values))]
    if ctx.user.is_manager or ctx.user.is_admin:
        more = await pending_reply(ctx, unit_id)
        if more is not None:
            replies.append(more)
    return replies


async def pending_reply(ctx: Context, unit_id: int, *, shown: int = 5) -> Text | None:
    """The people waiting for the manager's confirmation in a unit and below, with buttons for
    the first few (None when nobody waits)."""
    t = ctx.t
    waiting = await ctx.services.staff.pending(unit_id)
    if not waiting:
        return None
    lines = [t("staff.pending_title", count=len(waiting))]
    for number, person in enumerate(waiting[:20], start=1):
        lines.append(
            t(
                "staff.pending_item",
                number=number,
                name=person.name,
                position=f" ({person.position})" if person.position else "",
                unit=person.unit_name,
            )
        )
    if len(waiting) > 20:
        lines.append(t("staff.pending_more", count=len(waiting) - 20))
    lines.append(t("staff.pending_hint"))
    rows = [
        [
            Button(
                t("staff.pending_approve", name=_short(p.name)), f"stf:ok:{p.user_id}:{p.unit_id}"
            ),
            Button(
                t("staff.pending_reject", name=_short(p.name)), f"stf:no:{p.user_id}:{p.unit_id}"
            ),
        ]
        for p in waiting[:shown]
    ]
    return text("\n".join(lines), *rows)


def _short(name: str, limit: int = 24) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"
