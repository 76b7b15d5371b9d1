"""The council's desk: the queue with filters, a nomination in full, and decisions that notify
the nominator and supporters through the outbox exactly as the chat review does."""

from __future__ import annotations

import mimetypes
from math import ceil
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.admin.rendering import page
from bot.admin.security import Forbidden, Gate, checked_form
from bot.app import BotApp
from bot.channels.files import FileUnavailable, fetch
from bot.core.replies import XLSX_MIME
from bot.nominations import validation
from bot.nominations.notices import decision_notices
from bot.nominations.review import Verdict, queue_page
from bot.nominations.types import AttachmentView, Category, Decision, NominationDetail, Status
from bot.services.console import ConsoleUser

PER_PAGE = 25
SHOWN_INLINE = {"image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"}


def evidence_of(item: NominationDetail) -> list[AttachmentView]:
    """Every file of a nomination, its own first, then its supporters', in a stable order (the
    console's links number them)."""
    return list(item.attachments) + [f for s in item.supporters for f in s.attachments]


def _council(user: ConsoleUser) -> None:
    if not user.is_council:
        raise Forbidden()


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin/de-cu, GET /admin/de-cu/{id}, POST /admin/de-cu/{id}/quyet-dinh."""
    router = APIRouter(prefix="/admin/de-cu", include_in_schema=False)
    services = bot.services
    t = bot.catalog

    @router.get("")
    async def queue(
        request: Request,
        trang: int = 1,
        trang_thai: str = "",
        loai: str = "",
        dot: int | None = None,
    ) -> Response:
        user = await gate.require(request)
        _council(user)
        status = Status(trang_thai) if trang_thai in set(Status) else None
        category = Category(loai) if loai in set(Category) else None
        rounds = await services.nominations.rounds.listing()
        found = await queue_page(
            services.db,
            page=max(trang, 1),
            per_page=PER_PAGE,
            status=status,
            category=category,
            round_id=dot,
        )
        return page(
            request,
            "nominations.html",
            user,
            queue=found,
            pages=max(ceil(found.total / PER_PAGE), 1),
            page_number=max(trang, 1),
            status=status,
            category=category,
            round_id=dot,
            rounds=[r for r, _ in rounds],
            statuses=list(Status),
            categories=list(Category),
        )

    @router.get("/xuat")
    async def export(request: Request, dot: int | None = None) -> Response:
        user = await gate.require(request)
        _council(user)
        listing = await services.nominations.rounds.listing()
        chosen = next((r for r, _ in listing if r.id == dot), None) or (
            listing[0][0] if listing else None
        )
        if chosen is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        exported = await services.nominations.export_xlsx(chosen.code)
        assert exported is not None
        await services.console.record(user, "nomination.export", chosen.code)
        return Response(
            exported[1],
            media_type=XLSX_MIME,
            headers={"Content-Disposition": f'attachment; filename="de-cu-{chosen.code}.xlsx"'},
        )

    @router.get("/{nomination_id}/minh-chung/{index}")
    async def evidence(request: Request, nomination_id: int, index: int) -> Response:
        user = await gate.require(request)
        _council(user)
        item = await services.nominations.review.detail(nomination_id)
        files = evidence_of(item) if item else []
        if item is None or not 0 <= index < len(files):
            return page(request, "error.html", user, status_code=404, why="not_found")
        chosen = files[index]
        try:
            fetched = await fetch(bot.settings, chosen.channel, chosen.ref)
        except FileUnavailable:
            return page(request, "error.html", user, status_code=502, why="file_gone")
        guessed = mimetypes.guess_type(chosen.file_name or "")[0]
        mime = chosen.mime_type or guessed or fetched.mime_type
        if chosen.kind == "photo" and mime == "application/octet-stream":
            mime = "image/jpeg"
        name = chosen.file_name or f"minh-chung-{item.code}-{index + 1}"
        disposition = "inline" if mime in SHOWN_INLINE else "attachment"
        return Response(
            fetched.data,
            media_type=mime,
            headers={
                "Content-Disposition": f"{disposition}; filename*=UTF-8''{_quoted(name)}",
                "X-Content-Type-Options": "nosniff",
                # a file people sent is shown, never run: no scripts, no plugins, no same origin
                "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; "
                "style-src 'unsafe-inline'",
                "Cache-Control": "private, max-age=300",
            },
        )

    @router.get("/{nomination_id}")
    async def detail(request: Request, nomination_id: int, ket_qua: str = "") -> Response:
        user = await gate.require(request)
        _council(user)
        item = await services.nominations.review.detail(nomination_id)
        if item is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        return page(
            request,
            "nomination.html",
            user,
            item=item,
            evidence=evidence_of(item),
            decisions=list(Decision),
            outcome=ket_qua,
            reason_limits=validation.REASON,
        )

    @router.post("/{nomination_id}/quyet-dinh")
    async def decide(request: Request, nomination_id: int) -> Response:
        user = await gate.require(request)
        _council(user)
        form = await checked_form(request, user.csrf_token)
        raw_decision = str(form.get("decision", ""))
        expected = str(form.get("expected", ""))
        if raw_decision not in set(Decision) or expected not in set(Status):
            raise Forbidden("bad_form")
        decision = Decision(raw_decision)
        checked = validation.check_reason(str(form.get("reason", "")))
        item = await services.nominations.review.detail(nomination_id)
        if item is None:
            return page(request, "error.html", user, status_code=404, why="not_found")
        if not checked.ok or checked.value is None:
            problem = t(
                f"nominate.invalid.{checked.problem}",
                min=validation.REASON[0],
                max=validation.REASON[1],
            )
            return page(
                request,
                "nomination.html",
                user,
                status_code=422,
                item=item,
                evidence=evidence_of(item),
                decisions=list(Decision),
                outcome="",
                reason_limits=validation.REASON,
                problem=problem,
                typed_reason=str(form.get("reason", ""))[:2000],
                typed_decision=decision.value,
            )
        # One unit of work: the decision, the notices to the nominator and supporters (outbox)
        # and the audit entry commit together, or none of them does.
        async with services.db.turn():
            result = await services.nominations.review.decide(
                nomination_id,
                decision=decision,
                reason=checked.value,
                reviewer_id=user.user_id,
                reviewer_label=user.label,
                expected=Status(expected),
            )
            if result.verdict is Verdict.RECORDED:
                await bot.deliver_notices(
                    decision_notices(t, nomination_id, decision, checked.value, result)
                )
                await services.console.record(
                    user,
                    "nomination.decide",
                    item.code,
                    before={"status": expected},
                    after={"status": decision.status.value},
                    note=checked.value,
                )
        outcome = "recorded" if result.verdict is Verdict.RECORDED else "changed"
        return RedirectResponse(f"/admin/de-cu/{nomination_id}?ket_qua={outcome}", status_code=303)

    return router


def _quoted(name: str) -> str:
    return quote(name, safe="")
