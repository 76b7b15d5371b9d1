"""Fixtures for the web console: the app over ASGI, people with roles, signing in."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.app import BotApp
from bot.server import create_app
from bot.services.users import Role
from tests.helpers.chat import Chat
from tests.nominations.conftest import open_round, register_staff, staff  # noqa: F401  (fixtures)

BASE = "http://127.0.0.1"


@pytest.fixture
async def web(bot: BotApp) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the console (cookies kept like a browser's)."""
    app = create_app(bot.settings, bot=bot, run_jobs=False)
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 40000))
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        yield client


async def person_with(
    bot: BotApp, user_id: str, role: Role | None, *, unit: str = "SKHCN", name: str = "Lê Thị Hoa"
) -> Chat:
    """A registered staff member holding `role` (a manager manages `unit`)."""
    chat = await register_staff(bot, user_id, name=name, unit=unit)
    if role is not None:
        unit_code = None
        if role is Role.MANAGER:
            found = await bot.services.units.search(unit)
            unit_code = found.units[0].code
        await bot.services.users.grant(
            channel="test", external_id=user_id, role=role, unit_code=unit_code
        )
    return chat


LINK = re.compile(r"http://[^\s]+/admin/vao/([A-Za-z0-9_-]+)")


async def link_token(chat: Chat) -> str:
    """Ask for /dangnhapweb in the chat and return the token of the link received."""
    turn = await chat.say("/dangnhapweb")
    found = LINK.search(turn.text)
    assert found, turn.text
    return found.group(1)


async def sign_in_with_link(web: httpx.AsyncClient, token: str) -> httpx.Response:
    """Open the link page (which sets the form token) and press the button."""
    page = await web.get(f"/admin/vao/{token}")
    assert page.status_code == 200
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    return await web.post(f"/admin/vao/{token}", data={"csrf": csrf.group(1)})


def csrf_of(html: str) -> str:
    """The CSRF token in a page's forms."""
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "no form on the page"
    return found.group(1)
