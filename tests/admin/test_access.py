"""Access control of the web console, route by route: anonymous requests and wrong roles are
refused, a manager sees only their branch of the unit tree, posts need a valid CSRF token, and a
one-time link works once, for its person, within its time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot.admin import (
    audit,
    auth_pages,
    dashboard,
    knowledge,
    nominations,
    reminders,
    targets,
    units,
)
from bot.admin.security import Gate
from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.services.users import Role
from tests.admin.conftest import csrf_of, link_token, person_with, sign_in_with_link
from tests.quiz.factories import add_result, load_tree, make_staff, make_target

PUBLIC = {"/admin/dangnhap", "/admin/vao/{token}"}


def console_routes(bot: BotApp) -> list[tuple[str, str]]:
    """Every (method, path) of the console, read from its routers (so a new page is covered)."""
    gate = Gate(bot)
    found = []
    for module in (auth_pages, dashboard, nominations, units, targets, reminders, knowledge, audit):
        for route in module.build_router(bot, gate).routes:
            for method in sorted(route.methods):  # type: ignore[attr-defined]
                found.append((method, route.path))  # type: ignore[attr-defined]
    return found


def concrete(path: str) -> str:
    for name in ("{nomination_id}", "{triage_id}", "{index}", "{unit_id}", "{code}"):
        path = path.replace(name, "1")
    return path.replace("{token}", "x" * 43)


async def test_every_route_refuses_anonymous_requests(bot: BotApp, web: httpx.AsyncClient) -> None:
    routes = console_routes(bot)
    assert len(routes) >= 8
    for method, path in routes:
        if path in PUBLIC:
            continue
        answer = await web.request(method, concrete(path), data={"csrf": "x"})
        if method == "GET":
            assert answer.status_code == 303, (method, path)
            assert answer.headers["location"] == "/admin/dangnhap"
        else:
            assert answer.status_code == 401, (method, path)


async def test_people_without_a_role_get_no_link_and_no_access(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    chat = await person_with(bot, "plain", None)
    turn = await chat.say("/dangnhapweb")
    assert "/admin/vao/" not in turn.text
    assert "chỉ dành cho" in turn.text


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            Role.MANAGER,
            ["/admin", "/admin/chi-tieu"],
            [
                "/admin/de-cu",
                "/admin/de-cu/1",
                "/admin/nhat-ky",
                "/admin/kien-thuc",
                "/admin/thong-bao",
            ],
        ),
        (
            Role.COUNCIL,
            ["/admin", "/admin/de-cu"],
            [
                "/admin/nhat-ky",
                "/admin/nhat-ky.csv",
                "/admin/kien-thuc",
                "/admin/han",
                "/admin/chi-tieu",
            ],
        ),
        (
            Role.ADMIN,
            [
                "/admin",
                "/admin/de-cu",
                "/admin/nhat-ky",
                "/admin/nhat-ky.csv",
                "/admin/kien-thuc",
                "/admin/chi-tieu",
            ],
            [],
        ),
    ],
)
async def test_each_role_reaches_only_its_pages(
    bot: BotApp, web: httpx.AsyncClient, role: Role, allowed: list[str], refused: list[str]
) -> None:
    chat = await person_with(bot, f"p-{role.value}", role)
    signed = await sign_in_with_link(web, await _token(chat))
    assert signed.status_code == 303 and signed.headers["location"] == "/admin"
    for path in allowed:
        assert (await web.get(path)).status_code == 200, path
    for path in refused:
        answer = await web.get(path)
        assert answer.status_code == 403, path
        assert "Không có quyền" in answer.text


async def test_a_manager_sees_only_their_branch(bot: BotApp, web: httpx.AsyncClient) -> None:
    ids = await load_tree(bot)
    await make_target(bot)
    for unit, name in ((ids["QA"], "A1"), (ids["QF1"], "F1"), (ids["QB"], "B1")):
        person = await make_staff(bot, unit, name)
        await add_result(bot, person, "ky-nang-so-co-ban", 0.9, bot.services.clock.now())
    chat = await person_with(bot, "mgr", Role.MANAGER, unit="QF")
    await sign_in_with_link(web, await _token(chat))
    page = await web.get("/admin")
    assert page.status_code == 200
    assert "Đơn vị F1" in page.text
    assert "Đơn vị A" not in page.text and "Đơn vị B" not in page.text
    # an admin sees every unit of the target, the lowest ones included
    boss = await person_with(bot, "boss", Role.ADMIN)
    web.cookies.clear()
    await sign_in_with_link(web, await _token(boss))
    everything = await web.get("/admin?thap_truoc=true")
    for name in ("Đơn vị A", "Đơn vị B", "Đơn vị C", "Đơn vị G", "Đơn vị F1"):
        assert name in everything.text


async def test_posts_need_the_sessions_csrf_token_and_this_site(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    chat = await person_with(bot, "c1", Role.COUNCIL)
    await sign_in_with_link(web, await _token(chat))
    page = await web.get("/admin")
    token = csrf_of(page.text)
    form = {"decision": "approve", "expected": "pending", "reason": "Đủ điều kiện."}
    assert (await web.post("/admin/de-cu/1/quyet-dinh", data=form)).status_code == 403
    wrong = dict(form, csrf="x" * len(token))
    assert (await web.post("/admin/de-cu/1/quyet-dinh", data=wrong)).status_code == 403
    foreign = await web.post(
        "/admin/de-cu/1/quyet-dinh",
        data=dict(form, csrf=token),
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status_code == 403
    # sign-out needs the token too
    assert (await web.post("/admin/dangxuat", data={})).status_code == 403
    out = await web.post("/admin/dangxuat", data={"csrf": token})
    assert out.status_code == 303
    assert (await web.get("/admin")).status_code == 303  # signed out for real


async def test_a_link_works_once_for_its_person_and_expires(
    bot: BotApp, web: httpx.AsyncClient, clock: FrozenClock
) -> None:
    chat = await person_with(bot, "c1", Role.COUNCIL, name="Trần Văn Hội")
    token = await _token(chat)
    # a chat app's link preview (GET) does not use the link up
    assert (await web.get(f"/admin/vao/{token}")).status_code == 200
    first = await sign_in_with_link(web, token)
    assert first.status_code == 303
    assert "Trần Văn Hội" in (await web.get("/admin")).text  # bound to that person
    web.cookies.clear()
    again = await sign_in_with_link(web, token)
    assert again.status_code == 401 and "đã được dùng" in again.text
    late = await _token(chat)
    clock.advance(timedelta(minutes=11))
    expired = await sign_in_with_link(web, late)
    assert expired.status_code == 401


async def test_a_revoked_role_ends_access_at_the_next_request(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    chat = await person_with(bot, "c1", Role.COUNCIL)
    await sign_in_with_link(web, await _token(chat))
    assert (await web.get("/admin/de-cu")).status_code == 200
    await bot.services.users.revoke(channel="test", external_id="c1", role=Role.COUNCIL)
    assert (await web.get("/admin/de-cu")).status_code == 303


async def test_a_tampered_cookie_is_refused(bot: BotApp, web: httpx.AsyncClient) -> None:
    chat = await person_with(bot, "a1", Role.ADMIN)
    await sign_in_with_link(web, await _token(chat))
    cookie = web.cookies.get("cds_admin")
    assert cookie
    web.cookies.set("cds_admin", cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"))
    assert (await web.get("/admin")).status_code == 303


async def _token(chat) -> str:  # type: ignore[no-untyped-def]
    return await link_token(chat)


def test_templates_hold_no_inline_code_and_no_outside_address() -> None:
    for template in Path("bot/admin/templates").glob("*.html"):
        text = template.read_text(encoding="utf-8")
        for inline in ("style=", "<script", "<style", " onclick", "http://", "https://"):
            assert inline not in text, (template.name, inline)


async def test_pages_load_only_their_own_files(web: httpx.AsyncClient) -> None:
    page = await web.get("/admin/dangnhap")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert (await web.get("/admin/static/admin.css")).status_code == 200
