"""The dashboard, for a target (and so a period) chosen on the page: units ranked against it
(every unit, paged, the lowest reachable in one click), totals for the province and per group
(the scope's direct sub-units: departments, the communes' group …), the weekly trend, quiz
statistics, reminder delivery per deadline, nominations by status and category, and the week's
unanswered questions. Each reader sees only what their roles allow."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from math import ceil

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.admin.charts import trend_chart
from bot.admin.reminders import visible_deadlines
from bot.admin.rendering import page
from bot.admin.security import Gate
from bot.app import BotApp
from bot.nominations.review import status_by_category
from bot.nominations.types import Category, Status
from bot.quiz.views import TargetView
from bot.scheduler.deadlines import DeadlineReport, DeadlineView
from bot.storage.repositories.knowledge import UnansweredGroup

PER_PAGE = 25
DEADLINES_SHOWN = 8
LANES = 2  # deadline reports read side by side


def choose_target(
    targets: list[TargetView], target_id: int | None, period: str, today: date
) -> tuple[list[TargetView], TargetView | None]:
    """The targets of the chosen period (all when none is chosen) and the one to show: the one
    asked for if it is among them, else the first running today, else the latest."""
    listed = [t for t in targets if t.period == period] if period else targets
    listed = listed or targets
    chosen = next((t for t in listed if t.id == target_id), None)
    if chosen is None and listed:
        current = [t for t in listed if t.starts_on <= today <= t.due_on]
        chosen = (current or listed)[0]
    return listed, chosen


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    services = bot.services

    @router.get("")
    async def dashboard(
        request: Request,
        target: int | None = None,
        ky: str = "",
        trang: int = 1,
        thap_truoc: bool = False,
    ) -> Response:
        user = await gate.require(request)
        targets = await services.quiz.targets.all()
        periods = sorted({t.period for t in targets if t.period})
        today = services.clock.now().astimezone(bot.settings.tz).date()
        listed, chosen = choose_target(targets, target, ky[:100], today)
        overview = stats = chart = None
        nominations = None
        unanswered: list[UnansweredGroup] = []
        deadlines: list[DeadlineReport] = []

        async def _overview() -> None:
            nonlocal overview
            if chosen is not None and user.is_manager:
                overview = await services.quiz.progress.overview(
                    chosen.id, visible=None if user.is_admin else user.manages
                )

        async def _stats() -> None:
            nonlocal stats
            if chosen is not None and user.is_admin:
                stats = await services.quiz.stats.for_target(chosen)

        async def _deadlines() -> None:
            if not user.is_manager:
                return
            near = sorted(
                (d for d in await visible_deadlines(bot, user) if not d.cancelled),
                key=lambda d: abs(d.due_at.astimezone(bot.settings.tz).date() - today),
            )[:DEADLINES_SHOWN]
            found: dict[int, DeadlineReport] = {}

            async def lane(items: list[DeadlineView]) -> None:
                for item in items:  # the deadlines page's own report, for these only
                    for report in await services.reminders.deadlines.report(item.code):
                        found[report.deadline.id] = report

            await asyncio.gather(*(lane(near[i::LANES]) for i in range(LANES)))
            deadlines.extend(found[item.id] for item in near if item.id in found)

        async def _rest() -> None:
            nonlocal nominations, unanswered
            if user.is_council:
                nominations = await status_by_category(services.db)
            if user.is_admin:
                since = services.clock.now() - timedelta(days=7)
                found = await services.knowledge.unanswered(since=since)
                unanswered = sorted(found, key=lambda g: -g.times)[:10]

        # Independent reads, each in its own transaction: at most 3 + LANES connections at once
        # (the pool has 20, shared with the chat's turns).
        await asyncio.gather(_overview(), _stats(), _deadlines(), _rest())
        if overview is not None and chosen is not None:
            chart = trend_chart(overview.weeks, chosen.required_rate)
        rows = overview.rows if overview else []
        ordered = list(reversed(rows)) if thap_truoc else rows
        pages = max(ceil(len(ordered) / PER_PAGE), 1)
        current_page = min(max(trang, 1), pages)
        shown = ordered[(current_page - 1) * PER_PAGE : current_page * PER_PAGE]
        return page(
            request,
            "dashboard.html",
            user,
            targets=listed,
            periods=periods,
            period=ky[:100],
            target=chosen,
            overview=overview,
            chart=chart,
            stats=stats,
            rows=shown,
            unit_count=len(rows),
            totals=overview.totals if overview else (0, 0, 0),
            page_number=current_page,
            pages=pages,
            lowest_first=thap_truoc,
            deadlines=deadlines,
            nominations=nominations,
            statuses=list(Status),
            categories=list(Category),
            unanswered=unanswered,
        )

    return router
