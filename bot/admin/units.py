"""Units and staff: the unit tree (a manager sees their branch only), search without diacritics,
headcounts, managers, and the units CSV (import with the command line's validation; export)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from bot.admin.rendering import page
from bot.admin.security import Forbidden, Gate, checked_form
from bot.app import BotApp
from bot.services.console import ConsoleUser
from bot.services.users import UnknownUser

MAX_HEADCOUNT = 1_000_000
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin/don-vi and its forms, GET /admin/don-vi.csv, POST /admin/don-vi/nhap."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    services = bot.services
    admin_units = services.unit_admin

    async def _unit_for(user: ConsoleUser, unit_id: int):  # type: ignore[no-untyped-def]
        found = await admin_units.page(unit_id)
        if found is None or found.unit is None:
            return None
        if not user.manages(found.unit.path):
            raise Forbidden()
        return found

    @router.get("/don-vi")
    async def units_page(
        request: Request, id: int | None = None, q: str = "", ket_qua: str = ""
    ) -> Response:
        user = await gate.require(request)
        if not user.is_manager:
            raise Forbidden()
        results = []
        if q.strip():
            results = [u for u in await admin_units.search(q[:100]) if user.manages(u.path)]
        if id is not None:
            found = await _unit_for(user, id)
            if found is None:
                return page(request, "error.html", user, status_code=404, why="not_found")
            return page(
                request,
                "units.html",
                user,
                view=found,
                roots=None,
                results=results,
                query=q[:100],
                outcome=ket_qua,
            )
        if user.is_admin:
            roots = (await admin_units.page(None)).children  # type: ignore[union-attr]
        else:
            roots = [
                found.unit
                for unit_id in user.managed_unit_ids
                if (found := await admin_units.page(unit_id)) is not None and found.unit
            ]
        return page(
            request,
            "units.html",
            user,
            view=None,
            roots=roots,
            results=results,
            query=q[:100],
            outcome=ket_qua,
        )

    @router.post("/don-vi/{unit_id}/bien-che")
    async def headcount(request: Request, unit_id: int) -> Response:
        user = await gate.require(request)
        found = await _unit_for(user, unit_id)
        if found is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        form = await checked_form(request, user.csrf_token)
        raw = str(form.get("headcount", "")).strip()
        if not raw.isdigit() or int(raw) > MAX_HEADCOUNT:
            return RedirectResponse(f"/admin/don-vi?id={unit_id}&ket_qua=bad_headcount", 303)
        changed = await admin_units.set_headcount(unit_id, int(raw))
        assert changed is not None
        await services.console.record(
            user,
            "unit.headcount",
            found.unit.code,
            before={"headcount": changed[0]},
            after={"headcount": changed[1]},
        )
        return RedirectResponse(f"/admin/don-vi?id={unit_id}&ket_qua=saved", 303)

    async def _manager_form(request: Request, unit_id: int):  # type: ignore[no-untyped-def]
        """Who posts (an administrator), the unit, and the CHANNEL:ID typed; or the error page."""
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        found = await _unit_for(user, unit_id)
        if found is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        form = await checked_form(request, user.csrf_token)
        return user, found, str(form.get("ref", "")).strip()[:200]

    @router.post("/don-vi/{unit_id}/quan-ly")
    async def add_manager(request: Request, unit_id: int) -> Response:
        posted = await _manager_form(request, unit_id)
        if isinstance(posted, Response):
            return posted
        user, found, ref = posted
        try:
            await admin_units.add_manager(found.unit.code, ref)
        except (UnknownUser, LookupError, ValueError):
            return RedirectResponse(f"/admin/don-vi?id={unit_id}&ket_qua=unknown_person", 303)
        await services.console.record(user, "unit.manager_add", found.unit.code, after={"ref": ref})
        return RedirectResponse(f"/admin/don-vi?id={unit_id}&ket_qua=saved", 303)

    @router.post("/don-vi/{unit_id}/quan-ly/xoa")
    async def remove_manager(request: Request, unit_id: int) -> Response:
        posted = await _manager_form(request, unit_id)
        if isinstance(posted, Response):
            return posted
        user, found, ref = posted
        if await admin_units.remove_manager(unit_id, ref):
            await services.console.record(
                user, "unit.manager_remove", found.unit.code, before={"ref": ref}
            )
        return RedirectResponse(f"/admin/don-vi?id={unit_id}&ket_qua=saved", 303)

    @router.get("/don-vi.csv")
    async def export(request: Request) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        await services.console.record(user, "unit.export")
        return Response(
            await admin_units.export_csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="don-vi.csv"'},
        )

    @router.post("/don-vi/nhap")
    async def import_units(request: Request) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        form = await checked_form(request, user.csrf_token, max_bytes=MAX_IMPORT_BYTES)
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            return page(
                request, "units_import.html", user, status_code=422, errors=[], missing=True
            )
        raw = await upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            return page(
                request, "units_import.html", user, status_code=422, errors=[], not_utf8=True
            )
        report = await services.units.import_text(text)
        if not report.ok:
            return page(request, "units_import.html", user, status_code=422, errors=report.errors)
        await services.console.record(
            user,
            "unit.import",
            upload.filename or "",
            note=f"{report.created} mới, {report.updated} cập nhật",
        )
        return page(request, "units_import.html", user, errors=[], report=report)

    return router
