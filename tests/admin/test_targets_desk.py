"""Targets in the console: defined and edited through the command line's service (same checks,
standings recomputed), a manager only within their branch, every change in the audit log with
the target before and after, and no change without the form's CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from sqlalchemy import select

from bot.app import BotApp
from bot.services.users import Role
from bot.storage.models import AuditEntry
from tests.admin.conftest import csrf_of, link_token, person_with, sign_in_with_link
from tests.quiz.factories import add_result, load_tree, make_staff, make_target


def form(token: str, **changes: object) -> dict[str, object]:
    values: dict[str, object] = {
        "csrf": token,
        "code": "2026-KSC",
        "title": "Kỹ năng số cơ bản 2026",
        "period": "Năm 2026",
        "unit_code": "QROOT",
        "include_subunits": "true",
        "sets": ["ky-nang-so-co-ban"],
        "starts_on": "01/01/2026",
        "due_on": "31/12/2026",
        "rate": "80",
    }
    values.update(changes)
    return values


async def sign_in(
    bot: BotApp, web: httpx.AsyncClient, who: str, role: Role, unit: str = "SKHCN"
) -> str:
    chat = await person_with(bot, who, role, unit=unit, name="Phạm Quản Lý")
    web.cookies.clear()
    await sign_in_with_link(web, await link_token(chat))
    return csrf_of((await web.get("/admin/chi-tieu")).text)


async def audit(bot: BotApp, action: str) -> list[AuditEntry]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


async def test_an_admin_defines_and_edits_a_target(bot: BotApp, web: httpx.AsyncClient) -> None:
    ids = await load_tree(bot)
    person = await make_staff(bot, ids["QA"], "A1")
    await add_result(bot, person, "ky-nang-so-co-ban", 0.9, datetime(2026, 3, 1, 3, tzinfo=UTC))
    token = await sign_in(bot, web, "boss", Role.ADMIN)

    saved = await web.post("/admin/chi-tieu", data=form(token))
    assert saved.status_code == 303 and "created" in saved.headers["location"]
    view = await bot.services.quiz.targets.by_code("2026-KSC")
    assert (
        view is not None and view.required_rate == 0.8 and view.set_slugs == ("ky-nang-so-co-ban",)
    )
    board = await bot.services.quiz.progress.leaderboard(view.id)
    assert board is not None and board.totals[2] == 1  # the standing was computed at once
    listing = await web.get("/admin/chi-tieu")
    assert "Kỹ năng số cơ bản 2026" in listing.text and "Khối thử nghiệm" in listing.text
    edit = await web.get("/admin/chi-tieu?ma=2026-KSC")
    assert 'value="31/12/2026"' in edit.text and "Sửa chỉ tiêu 2026-KSC" in edit.text

    again = await web.post("/admin/chi-tieu", data=form(token, rate="50", editing="true"))
    assert again.status_code == 303 and "saved" in again.headers["location"]
    changed = await bot.services.quiz.targets.by_code("2026-KSC")
    assert changed is not None and changed.required_rate == 0.5
    [created] = await audit(bot, "target.create")
    assert created.before is None and created.after["unit_code"] == "QROOT"
    [updated] = await audit(bot, "target.update")
    assert updated.before["required_rate"] == 0.8 and updated.after["required_rate"] == 0.5
    assert updated.target == "2026-KSC"

    removed = await web.post("/admin/chi-tieu/xoa", data={"csrf": token, "code": "2026-KSC"})
    assert removed.status_code == 303
    assert await bot.services.quiz.targets.by_code("2026-KSC") is None
    [gone] = await audit(bot, "target.remove")
    assert gone.before["title"] == "Kỹ năng số cơ bản 2026"


async def test_the_command_lines_checks_apply(bot: BotApp, web: httpx.AsyncClient) -> None:
    await load_tree(bot)
    token = await sign_in(bot, web, "boss", Role.ADMIN)
    for changes, words in (
        ({"due_on": "31/13/2026"}, "Hạn chót"),
        ({"sets": ["khong-co"]}, "không có bộ câu hỏi khong-co"),
        ({"starts_on": "01/06/2026", "due_on": "01/01/2026"}, "ngày hết hạn phải sau"),
        ({"unit_code": "KHONGCO"}, "không có đơn vị mã"),
        ({"rate": "abc"}, "Tỷ lệ"),
    ):
        answer = await web.post("/admin/chi-tieu", data=form(token, **changes))
        assert answer.status_code == 422, changes
        assert words in answer.text, changes
        assert 'value="Kỹ năng số cơ bản 2026"' in answer.text  # what was typed is kept
    assert await bot.services.quiz.targets.all() == []
    assert (await web.post("/admin/chi-tieu", data=form("x" * 30))).status_code == 403
    assert await bot.services.quiz.targets.all() == []


async def test_a_manager_works_only_on_their_branchs_targets(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    await load_tree(bot)
    await make_target(bot, code="TINH", unit="QROOT")
    token = await sign_in(bot, web, "mgr", Role.MANAGER, unit="QF")
    listing = await web.get("/admin/chi-tieu")
    assert "Chỉ tiêu TINH" not in listing.text  # the province's target is not theirs
    assert 'name="unit_code" value="QF"' in listing.text

    mine = await web.post("/admin/chi-tieu", data=form(token, code="F-2026", unit_code="QF"))
    assert mine.status_code == 303
    foreign = await web.post("/admin/chi-tieu", data=form(token, code="A-2026", unit_code="QA"))
    assert foreign.status_code == 422 and "không thuộc phạm vi" in foreign.text
    assert await bot.services.quiz.targets.by_code("A-2026") is None
    # the code of the province's target, moved to their unit: refused, nothing changes
    hijack = await web.post("/admin/chi-tieu", data=form(token, code="TINH", unit_code="QF"))
    assert hijack.status_code == 403
    province = await bot.services.quiz.targets.by_code("TINH")
    assert province is not None and province.title == "Chỉ tiêu TINH"
    assert (await web.get("/admin/chi-tieu?ma=TINH")).status_code == 403
    assert (
        await web.post("/admin/chi-tieu/xoa", data={"csrf": token, "code": "TINH"})
    ).status_code == 403
    assert await bot.services.quiz.targets.by_code("TINH") is not None
    [logged] = await audit(bot, "target.create")
    assert logged.actor == "Phạm Quản Lý" and logged.target == "F-2026"


async def test_the_council_cannot_define_targets(bot: BotApp, web: httpx.AsyncClient) -> None:
    await load_tree(bot)
    chat = await person_with(bot, "c1", Role.COUNCIL)
    await sign_in_with_link(web, await link_token(chat))
    token = csrf_of((await web.get("/admin")).text)
    assert (await web.post("/admin/chi-tieu", data=form(token))).status_code == 403
    assert (
        await web.post("/admin/chi-tieu/xoa", data={"csrf": token, "code": "x"})
    ).status_code == 403
    assert await bot.services.quiz.targets.all() == []
