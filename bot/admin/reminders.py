"""Deadlines and broadcasts in the console: create, edit and cancel deadlines with their audience
(a manager only for their own units), the audience size before saving, delivery per deadline
(sent, waiting, undeliverable with reason) and who acknowledged; broadcasts composed with a
preview of Telegram and Zalo and sent through the outbox (administrators)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.rendering import page
from bot.admin.security import Forbidden, Gate, checked_form
from bot.app import BotApp
from bot.channels.telegram_render import TgText
from bot.channels.telegram_render import render as telegram_render
from bot.channels.zalo_render import ZaloText, render_numbered
from bot.core.dates import BadDate, parse_datetime
from bot.scheduler import compose
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.broadcast import BadBroadcast, normalize_message
from bot.scheduler.deadlines import DeadlineSpec, DeadlineView
from bot.scheduler.timing import DEFAULT_OFFSETS
from bot.services.console import ConsoleUser

DEFAULT_DUE_TIME = time(17, 0)
TITLE_LIMIT = (5, 200)
ADMIN_KINDS = ("all_staff", "managers", "units")
BROADCAST_KINDS = ("all_staff", "managers", "subscribers", "everyone", "units")


@dataclass(frozen=True, slots=True)
class DeadlineForm:
    """What the person typed into the deadline form (kept when something is wrong)."""

    title: str = ""
    description: str = ""
    due: str = ""
    kind: str = "units"
    unit_code: str = ""
    urgent: bool = False


def parse_due(raw: str, tz: ZoneInfo) -> datetime | None:
    """The due moment typed in the form, read like every date of the bot (`bot.core.dates`:
    dd/mm/yyyy or ISO, "17:00", "17h30"…); 17:00 when no time is given; None when unreadable."""
    try:
        return parse_datetime(raw, tz, default_time=DEFAULT_DUE_TIME)
    except BadDate:
        return None


async def visible_deadlines(bot: BotApp, user: ConsoleUser) -> list[DeadlineView]:
    """The deadlines this person may see (the deadlines page and the dashboard): every one for
    an administrator, a manager's only when every unit of the audience is in their branch."""
    visible = []
    for deadline in await bot.services.reminders.deadlines.all():
        audience = deadline.audience
        if user.is_admin:
            visible.append(deadline)
        elif audience.kind is AudienceKind.UNITS and audience.unit_ids:
            paths = await bot.services.units.paths_of(audience.unit_ids)
            if all(user.manages(path) for path in paths.values()):
                visible.append(deadline)
    return visible


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET/POST /admin/han…, GET/POST /admin/thong-bao."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    services = bot.services
    deadlines = services.reminders.deadlines
    broadcasts = services.reminders.broadcasts
    tz = bot.settings.tz

    async def _audience(
        user: ConsoleUser, kind: str, unit_code: str, allowed: tuple[str, ...]
    ) -> Audience | str:
        """The audience chosen, or the key of what is wrong with it."""
        if not user.is_admin:
            kind = "units"
        if kind not in allowed:
            return "bad_audience"
        if kind != "units":
            return Audience(AudienceKind(kind))
        found = await services.units.search(unit_code.strip()) if unit_code.strip() else None
        if found is None or len(found.units) != 1:
            return "bad_unit"
        unit = found.units[0]
        paths = await services.units.paths_of([unit.id])
        if not user.manages(paths.get(unit.id, "\0")):
            return "not_your_unit"
        return Audience(AudienceKind.UNITS, (unit.id,), subunits=True)

    async def _deadline_page(
        request: Request, user: ConsoleUser, *, status_code: int = 200, **extra: object
    ) -> Response:
        allowed = {deadline.id for deadline in await visible_deadlines(bot, user)}
        visible = [r for r in await deadlines.report() if r.deadline.id in allowed]
        units = [
            view
            for unit_id in ([] if user.is_admin else user.managed_unit_ids)
            if (view := await services.units.get(unit_id)) is not None
        ]
        return page(
            request,
            "deadlines.html",
            user,
            status_code=status_code,
            reports=visible,
            my_units=units,
            form=extra.pop("form", DeadlineForm(unit_code=units[0].code if units else "")),
            **extra,
        )

    @router.get("/han")
    async def deadline_list(request: Request, ket_qua: str = "") -> Response:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        return await _deadline_page(request, user, outcome=ket_qua)

    @router.post("/han")
    async def deadline_save(request: Request) -> Response:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        form = await checked_form(request, user.csrf_token)
        typed = DeadlineForm(
            title=" ".join(str(form.get("title", "")).split())[:300],
            description=str(form.get("description", "")).strip()[:1000],
            due=str(form.get("due", "")).strip()[:40],
            kind=str(form.get("kind", "units")),
            unit_code=str(form.get("unit_code", "")).strip()[:64],
            urgent=form.get("urgent") == "1",
        )
        problem = ""
        due = parse_due(typed.due, tz)
        audience = await _audience(user, typed.kind, typed.unit_code, ADMIN_KINDS)
        if not TITLE_LIMIT[0] <= len(typed.title) <= TITLE_LIMIT[1]:
            problem = "bad_title"
        elif due is None:
            problem = "bad_due"
        elif due <= services.clock.now():
            problem = "past_due"
        elif isinstance(audience, str):
            problem = audience
        if problem or form.get("action") == "preview":
            size = None
            if not problem and not isinstance(audience, str):
                size = (await broadcasts.plan_audience(audience)).recipients
            return await _deadline_page(
                request,
                user,
                status_code=422 if problem else 200,
                form=typed,
                problem=problem,
                audience_size=size,
            )
        assert due is not None and not isinstance(audience, str)
        code = f"WEB-{due.astimezone(tz):%Y%m%d}-{secrets.token_hex(3).upper()}"
        saved, _ = await deadlines.define(
            DeadlineSpec(
                code, typed.title, due, audience, typed.description, DEFAULT_OFFSETS, typed.urgent
            )
        )
        await services.console.record(
            user,
            "deadline.create",
            saved.code,
            after={"title": saved.title, "due": due.isoformat(), "audience": audience.to_json()},
        )
        return RedirectResponse("/admin/han?ket_qua=saved", status_code=303)

    @router.post("/han/{code}/huy")
    async def deadline_cancel(request: Request, code: str) -> Response:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        found = await deadlines.get(code[:64])
        if found is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        if not user.is_admin:
            paths = await services.units.paths_of(found.audience.unit_ids)
            if (
                found.audience.kind is not AudienceKind.UNITS
                or not paths
                or not all(user.manages(path) for path in paths.values())
            ):
                raise Forbidden()
        await checked_form(request, user.csrf_token)
        await deadlines.cancel(found.code)
        await services.console.record(
            user,
            "deadline.cancel",
            found.code,
            before={"cancelled": False},
            after={"cancelled": True},
        )
        return RedirectResponse("/admin/han?ket_qua=cancelled", status_code=303)

    @router.get("/han/{code}")
    async def deadline_detail(request: Request, code: str) -> Response:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        reports = await deadlines.report(code[:64])
        if not reports:
            return page(request, "error.html", user, status_code=404, why="not_found")
        report = reports[0]
        if not user.is_admin:
            paths = await services.units.paths_of(report.deadline.audience.unit_ids)
            if not paths or not all(user.manages(path) for path in paths.values()):
                raise Forbidden()
        return page(
            request,
            "deadline.html",
            user,
            report=report,
            acks=await deadlines.acknowledgers(report.deadline.id),
        )

    @router.get("/thong-bao")
    async def broadcast_page(request: Request, ket_qua: str = "", so: int = 0) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        return page(
            request,
            "broadcast.html",
            user,
            outcome=ket_qua,
            count=so,
            text="",
            kind="all_staff",
            unit_code="",
        )

    @router.post("/thong-bao")
    async def broadcast_send(request: Request) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        form = await checked_form(request, user.csrf_token)
        text = str(form.get("text", ""))[:5000]
        kind = str(form.get("kind", "all_staff"))
        unit_code = str(form.get("unit_code", "")).strip()[:64]
        urgent = form.get("urgent") == "1"
        problem = ""
        audience = await _audience(user, kind, unit_code, BROADCAST_KINDS)
        try:
            body = normalize_message(text)
        except BadBroadcast as error:
            problem, body = str(error), ""
        if isinstance(audience, str) and not problem:
            problem = bot.catalog(f"admin.{audience}")
        if problem or form.get("action") != "send":
            plan = (
                None
                if problem or isinstance(audience, str)
                else await broadcasts.plan_audience(audience)
            )
            reply = compose.broadcast(bot.catalog, body) if body else None
            return page(
                request,
                "broadcast.html",
                user,
                status_code=422 if problem else 200,
                text=text,
                kind=kind,
                unit_code=unit_code,
                urgent=urgent,
                problem=problem,
                plan=plan,
                telegram=[m.html for m in telegram_render(reply) if isinstance(m, TgText)]
                if reply
                else [],
                zalo=[
                    piece.text
                    for piece in render_numbered([reply], bot.catalog, limit=2000)
                    if isinstance(piece, ZaloText)
                ]
                if reply
                else [],
                outcome="",
                count=0,
            )
        assert not isinstance(audience, str)
        plan = await broadcasts.plan_audience(audience)
        queued = await broadcasts.send(plan, body, urgent=urgent)
        await services.console.record(
            user,
            "broadcast.send",
            str(queued.id),
            after={"audience": audience.to_json(), "recipients": queued.queued, "urgent": urgent},
            note=body[:500],
        )
        return RedirectResponse(f"/admin/thong-bao?ket_qua=sent&so={queued.queued}", 303)

    return router
