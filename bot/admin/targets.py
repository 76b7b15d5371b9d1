"""Targets in the console: list, define and edit them (and remove one) through the same
`TargetService.define` as `cdsbot targets add` — the same validation, the same rebuild of the
standings. A manager works only on targets whose unit is in their branch, including when the
code typed is that of an existing target elsewhere; every change goes to the audit log with the
target before and after."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.rendering import page
from bot.admin.security import Forbidden, Gate, checked_form
from bot.app import BotApp
from bot.core.dates import BadDate, parse_date
from bot.core.text import normalize
from bot.quiz.targets import TargetSpec, parse_rate
from bot.quiz.views import TargetView
from bot.services.console import ConsoleUser


@dataclass(frozen=True, slots=True)
class TargetForm:
    """What was typed into the target form (kept when something is wrong)."""

    code: str = ""
    title: str = ""
    period: str = ""
    unit_code: str = ""
    sets: tuple[str, ...] = ()
    starts_on: str = ""
    due_on: str = ""
    rate: str = "80"
    include_subunits: bool = True
    editing: bool = False


def form_of(view: TargetView, unit_code: str) -> TargetForm:
    """The form filled with a stored target (dates dd/mm/yyyy, the rate in percent)."""
    return TargetForm(
        view.code,
        view.title,
        view.period,
        unit_code,
        view.set_slugs,
        view.starts_on.strftime("%d/%m/%Y"),
        view.due_on.strftime("%d/%m/%Y"),
        f"{view.required_rate * 100:g}",
        view.include_subunits,
        editing=True,
    )


def audit_record(view: TargetView, unit_code: str) -> dict[str, Any]:
    """A target as the audit log keeps it (dates as ISO text)."""
    record = asdict(view)
    record.pop("id")
    record["unit_code"] = unit_code
    record["set_slugs"] = list(view.set_slugs)
    record["starts_on"] = view.starts_on.isoformat()
    record["due_on"] = view.due_on.isoformat()
    return record


def spec_of(form: TargetForm) -> tuple[TargetSpec | None, list[str]]:
    """The target the form describes, or what cannot be read in it."""
    problems = []
    try:
        starts_on = parse_date(form.starts_on, label="Ngày bắt đầu")
    except BadDate as error:
        problems.append(str(error))
    try:
        due_on = parse_date(form.due_on, label="Hạn chót")
    except BadDate as error:
        problems.append(str(error))
    try:
        rate = parse_rate(form.rate)
    except ValueError:
        problems.append(f"Tỷ lệ '{form.rate}' chưa đúng; ví dụ 80 (nghĩa là 80%).")
    if problems:
        return None, problems
    return (
        TargetSpec(
            code=form.code,
            title=form.title,
            unit_code=form.unit_code,
            set_slugs=form.sets,
            starts_on=starts_on,
            due_on=due_on,
            required_rate=rate,
            include_subunits=form.include_subunits,
            period=form.period,
        ),
        [],
    )


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET/POST /admin/chi-tieu, POST /admin/chi-tieu/xoa."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    services = bot.services
    targets = services.quiz.targets

    async def _manager(request: Request) -> ConsoleUser:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        return user

    async def _unit_code(unit_id: int) -> str:
        unit = await services.units.get(unit_id)
        return unit.code if unit else ""

    async def _mine(user: ConsoleUser, unit_id: int) -> bool:
        paths = await services.units.paths_of([unit_id])
        return unit_id in paths and user.manages(paths[unit_id])

    async def _listing(
        request: Request,
        user: ConsoleUser,
        form: TargetForm,
        *,
        status_code: int = 200,
        **extra: Any,
    ) -> Response:
        every = await targets.all()
        paths = await services.units.paths_of({t.unit_id for t in every})
        shown = [t for t in every if user.manages(paths.get(t.unit_id, "\0"))]
        codes = {t.unit_id: await _unit_code(t.unit_id) for t in shown}
        return page(
            request,
            "targets.html",
            user,
            status_code=status_code,
            targets=shown,
            unit_codes=codes,
            banks=sorted(services.quiz.banks.values(), key=lambda bank: bank.title),
            form=form,
            **extra,
        )

    @router.get("/chi-tieu")
    async def target_list(request: Request, ma: str = "", ket_qua: str = "") -> Response:
        user = await _manager(request)
        form = TargetForm()
        if ma:
            view = await targets.by_code(ma[:64])
            if view is None:
                return page(request, "error.html", user, status_code=404, why="not_found")
            if not await _mine(user, view.unit_id):
                raise Forbidden()
            form = form_of(view, await _unit_code(view.unit_id))
        elif not user.is_admin and user.managed_unit_ids:
            form = TargetForm(unit_code=await _unit_code(user.managed_unit_ids[0]))
        return await _listing(request, user, form, outcome=ket_qua)

    @router.post("/chi-tieu")
    async def save_target(request: Request) -> Response:
        user = await _manager(request)
        posted = await checked_form(request, user.csrf_token)
        form = TargetForm(
            code=str(posted.get("code", "")).strip()[:64],
            title=normalize(str(posted.get("title", "")))[:255],
            period=normalize(str(posted.get("period", "")))[:100],
            unit_code=str(posted.get("unit_code", "")).strip()[:64],
            sets=tuple(dict.fromkeys(str(slug)[:64] for slug in posted.getlist("sets")))[:20],
            starts_on=str(posted.get("starts_on", "")).strip()[:40],
            due_on=str(posted.get("due_on", "")).strip()[:40],
            rate=str(posted.get("rate", "")).strip()[:10],
            include_subunits=posted.get("include_subunits") == "true",
            editing=posted.get("editing") == "true",
        )
        existing = await targets.by_code(form.code) if form.code else None
        if existing is not None and not await _mine(user, existing.unit_id):
            raise Forbidden()  # the code of a target in another branch: nothing is changed
        found = await services.units.search(form.unit_code) if form.unit_code else None
        unit = next((u for u in found.units if u.code == form.unit_code), None) if found else None
        if unit is not None and not await _mine(user, unit.id):
            return await _listing(request, user, form, status_code=422, errors=["not_your_unit"])
        spec, problems = spec_of(form)
        view, created = None, False
        if spec is not None:
            view, created, problems = await targets.define(spec)
        if view is None:
            return await _listing(request, user, form, status_code=422, problems=problems)
        await services.console.record(
            user,
            "target.create" if created else "target.update",
            view.code,
            before=audit_record(existing, await _unit_code(existing.unit_id)) if existing else None,
            after=audit_record(view, form.unit_code),
        )
        return RedirectResponse(f"/admin/chi-tieu?ket_qua={'created' if created else 'saved'}", 303)

    @router.post("/chi-tieu/xoa")
    async def remove_target(request: Request) -> Response:
        user = await _manager(request)
        posted = await checked_form(request, user.csrf_token)
        existing = await targets.by_code(str(posted.get("code", "")).strip()[:64])
        if existing is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        if not await _mine(user, existing.unit_id):
            raise Forbidden()
        before = audit_record(existing, await _unit_code(existing.unit_id))
        if await targets.remove(existing.code):
            await services.console.record(user, "target.remove", existing.code, before=before)
        return RedirectResponse("/admin/chi-tieu?ket_qua=removed", 303)

    return router
