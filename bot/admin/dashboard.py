"""The dashboard: units ranked against a target (every unit, paged, the lowest reachable in one
click), the province's totals, nominations by status and the week's unanswered questions."""

from __future__ import annotations

from datetime import timedelta
from math import ceil

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.admin.rendering import page
from bot.admin.security import Gate
from bot.app import BotApp
from bot.nominations.review import queue_page

PER_PAGE = 25


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    services = bot.services

    @router.get("")
    async def dashboard(
        request: Request, target: int | None = None, trang: int = 1, thap_truoc: bool = False
    ) -> Response:
        user = await gate.require(request)
        targets = await services.quiz.targets.all()
        chosen = next((t for t in targets if t.id == target), None)
        if chosen is None and targets:
            today = services.clock.now().astimezone(bot.settings.tz).date()
            current = [t for t in targets if t.starts_on <= today <= t.due_on]
            chosen = (current or targets)[0]
        rows, totals = [], (0, 0, 0)
        if chosen is not None and user.is_manager:
            board = await services.quiz.progress.leaderboard(chosen.id)
            if board is not None:
                rows = board.rows
                if not user.is_admin:
                    paths = await services.units.paths_of(row.unit_id for row in rows)
                    rows = [row for row in rows if user.manages(paths.get(row.unit_id, "\0"))]
                totals = (
                    sum(r.headcount for r in rows),
                    sum(r.registered for r in rows),
                    sum(r.passed for r in rows),
                )
        ordered = list(reversed(rows)) if thap_truoc else rows
        pages = max(ceil(len(ordered) / PER_PAGE), 1)
        current_page = min(max(trang, 1), pages)
        shown = ordered[(current_page - 1) * PER_PAGE : current_page * PER_PAGE]
        nominations = await queue_page(services.db, page=1, per_page=1) if user.is_council else None
        unanswered = []
        if user.is_admin:
            since = services.clock.now() - timedelta(days=7)
            unanswered = sorted(
                await services.knowledge.unanswered(since=since), key=lambda g: -g.times
            )[:10]
        return page(
            request,
            "dashboard.html",
            user,
            targets=targets,
            target=chosen,
            rows=shown,
            unit_count=len(rows),
            totals=totals,
            page_number=current_page,
            pages=pages,
            lowest_first=thap_truoc,
            nominations=nominations,
            unanswered=unanswered,
        )

    return router
