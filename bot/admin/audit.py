"""The audit log of the console (administrators only): a page and a CSV export."""

from __future__ import annotations

import csv
import io
import json
from math import ceil

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.admin.rendering import page, when
from bot.admin.security import Forbidden, Gate
from bot.app import BotApp

PER_PAGE = 50


def build_router(bot: BotApp, gate: Gate) -> APIRouter:
    """GET /admin/nhat-ky and /admin/nhat-ky.csv."""
    router = APIRouter(prefix="/admin", include_in_schema=False)
    console = bot.services.console

    @router.get("/nhat-ky")
    async def audit_page(request: Request, trang: int = 1) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        entries, total = await console.audit_page(page=max(trang, 1), per_page=PER_PAGE)
        return page(
            request,
            "audit.html",
            user,
            entries=entries,
            total=total,
            page_number=max(trang, 1),
            pages=max(ceil(total / PER_PAGE), 1),
        )

    @router.get("/nhat-ky.csv")
    async def audit_csv(request: Request) -> Response:
        user = await gate.require(request)
        if not user.is_admin:
            raise Forbidden()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Trước", "Sau", "Ghi chú"]
        )
        number = 1
        while True:
            entries, _ = await console.audit_page(page=number, per_page=500)
            for entry in entries:
                writer.writerow(
                    [
                        when(entry.at),
                        _safe(entry.actor),
                        entry.action,
                        _safe(entry.target),
                        json.dumps(entry.before, ensure_ascii=False) if entry.before else "",
                        json.dumps(entry.after, ensure_ascii=False) if entry.after else "",
                        _safe(entry.note),
                    ]
                )
            if len(entries) < 500:
                break
            number += 1
        await console.record(user, "audit.export")
        return Response(
            "\ufeff" + out.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="nhat-ky-quan-tri.csv"'},
        )

    return router


def _safe(value: str) -> str:
    """Neutralise spreadsheet formulas in text people typed."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
