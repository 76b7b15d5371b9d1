"""Deadlines and broadcasts in the console: a manager creates a deadline for their own unit only,
sees the audience size first, then its delivery and who acknowledged; an administrator previews a
broadcast as Telegram and Zalo show it and sends it through the outbox."""

from __future__ import annotations

from datetime import timedelta

import httpx
from sqlalchemy import func, select

from bot.app import BotApp
from bot.services.users import Role
from bot.storage.models import AuditEntry, Deadline, OutboxMessage
from tests.admin.conftest import csrf_of, link_token, person_with, sign_in_with_link
from tests.quiz.factories import load_tree, make_staff


async def test_a_manager_creates_a_deadline_for_their_unit_and_sees_it_delivered(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    ids = await load_tree(bot)
    for name in ("Một", "Hai"):
        await make_staff(bot, ids["QF1"], name)
    await make_staff(bot, ids["QA"], "Ngoài")
    manager = await person_with(bot, "m1", Role.MANAGER, unit="QF", name="Phạm Quản Lý")
    await sign_in_with_link(web, await link_token(manager))
    page = await web.get("/admin/han")
    token = csrf_of(page.text)
    due = (bot.services.clock.now() + timedelta(days=10)).astimezone(bot.settings.tz)
    form = {
        "csrf": token,
        "title": "Nộp báo cáo chuyển đổi số quý IV",
        "due": due.strftime("%d/%m/%Y 17:00"),
        "kind": "all_staff",  # a manager cannot widen the audience: it stays their unit
        "unit_code": "QF",
    }
    preview = await web.post("/admin/han", data=dict(form, action="preview"))
    assert preview.status_code == 200
    assert "sẽ được nhắc cho 3 người" in preview.text  # two staff of QF1 and the manager
    assert "Nộp báo cáo chuyển đổi số quý IV" in preview.text  # the typed form is kept
    foreign = await web.post("/admin/han", data=dict(form, unit_code="QA", action="save"))
    assert foreign.status_code == 422 and "không thuộc phạm vi" in foreign.text
    past = await web.post("/admin/han", data=dict(form, due="01/01/2020 08:00", action="save"))
    assert past.status_code == 422 and "đã qua" in past.text
    saved = await web.post("/admin/han", data=dict(form, action="save"))
    assert saved.status_code == 303

    async with bot.db.transaction() as session:
        deadline = await session.scalar(select(Deadline))
        assert deadline is not None
        assert deadline.audience["kind"] == "units" and deadline.audience["unit_ids"] == [ids["QF"]]
        assert deadline.offsets == ["7d", "3d", "1d", "morning"]  # reminded like the CLI's
    listing = await web.get("/admin/han")
    assert "Nộp báo cáo chuyển đổi số quý IV" in listing.text
    detail = await web.get(f"/admin/han/{deadline.code}")
    assert detail.status_code == 200 and "Các đợt nhắc" in detail.text
    async with bot.db.transaction() as session:
        logged = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "deadline.create")
        )
    assert logged is not None and logged.actor == "Phạm Quản Lý"


async def test_an_admin_previews_and_sends_a_broadcast(bot: BotApp, web: httpx.AsyncClient) -> None:
    ids = await load_tree(bot)
    for name in ("Một", "Hai", "Ba"):
        await make_staff(bot, ids["QA"], name)
    admin = await person_with(bot, "a1", Role.ADMIN)
    await sign_in_with_link(web, await link_token(admin))
    token = csrf_of((await web.get("/admin/thong-bao")).text)
    text = "Hạn chót nộp báo cáo là 30/06/2026 <b>không</b> lùi."
    preview = await web.post(
        "/admin/thong-bao", data={"csrf": token, "text": text, "kind": "units", "unit_code": "QA"}
    )
    assert preview.status_code == 200
    assert "Người nhận: 3" in preview.text
    assert "&lt;b&gt;không&lt;/b&gt;" in preview.text  # Telegram shows the tags as text
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    sent = await web.post(
        "/admin/thong-bao",
        data={"csrf": token, "text": text, "kind": "units", "unit_code": "QA", "action": "send"},
    )
    assert sent.status_code == 303 and "so=3" in sent.headers["location"]
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 3
    empty = await web.post(
        "/admin/thong-bao", data={"csrf": token, "text": "   ", "kind": "all_staff"}
    )
    assert empty.status_code == 422 and "trống" in empty.text
