"""Units in the console: a manager browses and edits only their branch (ids in URLs and forms
included), search works without diacritics, and the CSV import has the command line's
validation (all or nothing, line numbers) and round-trips with the export."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from bot.app import BotApp
from bot.services.users import Role
from bot.storage.models import AuditEntry, Unit
from tests.admin.conftest import csrf_of, link_token, person_with, sign_in_with_link
from tests.quiz.factories import load_tree


async def _unit(bot: BotApp, code: str) -> Unit:
    async with bot.db.transaction() as session:
        found = await session.scalar(select(Unit).where(Unit.code == code))
    assert found is not None
    return found


async def test_a_manager_edits_their_branch_and_nothing_else(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    await load_tree(bot)
    manager = await person_with(bot, "m1", Role.MANAGER, unit="QF", name="Phạm Quản Lý")
    await sign_in_with_link(web, await link_token(manager))
    own, child, other = await _unit(bot, "QF"), await _unit(bot, "QF1"), await _unit(bot, "QA")

    home = await web.get("/admin/don-vi")
    assert "Nhóm F" in home.text and "Đơn vị A" not in home.text
    assert (await web.get(f"/admin/don-vi?id={child.id}")).status_code == 200
    assert (await web.get(f"/admin/don-vi?id={other.id}")).status_code == 403
    found = await web.get("/admin/don-vi?q=don vi f1")  # no diacritics
    assert "Đơn vị F1" in found.text
    assert "Đơn vị A" not in (await web.get("/admin/don-vi?q=don vi")).text  # outside the branch

    page = await web.get(f"/admin/don-vi?id={child.id}")
    token = csrf_of(page.text)
    saved = await web.post(
        f"/admin/don-vi/{child.id}/bien-che", data={"csrf": token, "headcount": "7"}
    )
    assert saved.status_code == 303 and "saved" in saved.headers["location"]
    assert (await _unit(bot, "QF1")).headcount == 7
    # another branch's id in the form's URL is refused and changes nothing
    foreign = await web.post(
        f"/admin/don-vi/{other.id}/bien-che", data={"csrf": token, "headcount": "99"}
    )
    assert foreign.status_code == 403 and (await _unit(bot, "QA")).headcount == 10
    bad = await web.post(
        f"/admin/don-vi/{child.id}/bien-che", data={"csrf": token, "headcount": "-3"}
    )
    assert "bad_headcount" in bad.headers["location"]
    # managers cannot hand out roles
    grant = await web.post(f"/admin/don-vi/{own.id}/quan-ly", data={"csrf": token, "ref": "test:x"})
    assert grant.status_code == 403
    async with bot.db.transaction() as session:
        entry = await session.scalar(
            select(AuditEntry).where(AuditEntry.action == "unit.headcount")
        )
    assert (
        entry is not None and entry.before == {"headcount": 3} and entry.after == {"headcount": 7}
    )


async def test_csv_import_is_all_or_nothing_and_export_round_trips(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    admin = await person_with(bot, "a1", Role.ADMIN)
    await sign_in_with_link(web, await link_token(admin))
    page = await web.get("/admin/don-vi")
    token = csrf_of(page.text)
    broken = (
        "code,name,parent_code,kind,headcount,head_name,invite_code\nNEW1,Đơn vị mới,,so,abc,,\n"
    )
    refused = await web.post(
        "/admin/don-vi/nhap",
        data={"csrf": token},
        files={"file": ("don-vi.csv", broken.encode("utf-8"), "text/csv")},
    )
    assert refused.status_code == 422 and "Dòng 2" in refused.text
    async with bot.db.transaction() as session:
        assert await session.scalar(select(Unit).where(Unit.code == "NEW1")) is None

    exported = await web.get("/admin/don-vi.csv")
    assert exported.status_code == 200 and exported.text.startswith("\ufeffcode,name")
    again = await web.post(
        "/admin/don-vi/nhap",
        data={"csrf": token},
        files={"file": ("don-vi.csv", exported.content, "text/csv")},
    )
    assert again.status_code == 200 and "0 đơn vị mới" in again.text
