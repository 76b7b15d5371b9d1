"""The web chat API over real HTTP on loopback."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.server import create_app
from tests.helpers.server import serve_in_thread


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    """The real server (its own BotApp and event loop) with the demo units."""
    loader = BotApp.build(settings)
    report = asyncio.run(loader.services.units.import_csv(Path("bot/demo/units.csv")))
    asyncio.run(loader.close())
    assert report.ok
    with serve_in_thread(create_app(settings)) as url:
        yield url


async def _session(client: httpx.AsyncClient) -> dict[str, str]:
    response = await client.post("/api/chat/sessions")
    assert response.status_code == 201
    token = response.json()["session"]
    assert len(token) >= 32
    return {"Authorization": f"Bearer {token}"}


async def _say(client: httpx.AsyncClient, auth: dict[str, str], **body: str) -> list[dict]:
    response = await client.post("/api/chat/messages", json=body, headers=auth)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def _action(replies: list[dict], label: str) -> str:
    for reply in replies:
        for row in reply["buttons"]:
            for button in row:
                if label in button["label"]:
                    return button["action"]
    raise AssertionError(f"no button {label!r} in {replies}")


async def test_page_and_openapi_are_served(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        page = await client.get("/")
        assert page.status_code == 200 and "Trợ lý Chuyển đổi số" in page.text
        spec = (await client.get("/openapi.json")).json()
        assert "/api/chat/sessions" in spec["paths"] and "/api/chat/messages" in spec["paths"]


async def test_registration_as_staff_through_the_api(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        replies = await _say(client, auth, text="/start")
        replies = await _say(client, auth, action=_action(replies, "Đồng ý"))
        replies = await _say(client, auth, action=_action(replies, "Cán bộ"))
        replies = await _say(client, auth, text="so y te")  # the exact name: no tap needed
        assert "Trợ lý chọn đơn vị Sở Y tế" in replies[0]["text"]
        replies = await _say(client, auth, text="Phạm Thị Lan")
        replies = await _say(client, auth, text="Điều dưỡng")
        assert "Đăng ký xong" in replies[0]["text"]
        assert "Sở Y tế" in replies[0]["text"]


async def test_missing_or_invalid_token_is_refused(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
            response = await client.post("/api/chat/messages", json={"text": "hi"}, headers=headers)
            assert response.status_code == 401
            assert "Phiên trò chuyện không hợp lệ" in response.json()["detail"]


async def test_malformed_bodies_get_422_with_a_clear_message(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        for body in ({}, {"text": "a", "action": "b"}, {"txt": "a"}, {"text": 5}):
            response = await client.post("/api/chat/messages", json=body, headers=auth)
            assert response.status_code == 422, body
            assert "text" in response.json()["detail"]
        response = await client.post(
            "/api/chat/messages",
            content=b"{not json",
            headers={**auth, "Content-Type": "application/json"},
        )
        assert response.status_code == 422


async def test_oversized_text_gets_a_polite_reply(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        replies = await _say(client, auth, text="a" * 4001)
        assert "dài quá 4000 ký tự" in replies[0]["text"]


async def test_two_concurrent_sessions_never_share_state(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        first, second = await _session(client), await _session(client)
        assert first != second
        r1, r2 = await asyncio.gather(
            _say(client, first, text="/start"), _say(client, second, text="/start")
        )
        await asyncio.gather(
            _say(client, first, action=_action(r1, "Đồng ý")),
            _say(client, second, action=_action(r2, "Không đồng ý")),
        )
        # Only the first person consented: the second cannot answer the role question.
        replies = await _say(client, second, action="reg:role:staff")
        assert "không còn dùng được" in replies[0]["text"]
        replies = await _say(client, first, action="reg:role:staff")
        assert "Đơn vị của anh/chị là gì" in replies[0]["text"]
        # The second person is not registered; the first one's progress did not leak.
        replies = await _say(client, second, text="/hoso")
        assert "đăng ký trước" in replies[0]["text"]


async def test_profile_and_half_finished_flow_survive_a_server_restart(settings: Settings) -> None:
    loader = BotApp.build(settings)
    await loader.services.units.import_csv(Path("bot/demo/units.csv"))
    await loader.close()
    with serve_in_thread(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            auth = await _session(client)
            replies = await _say(client, auth, text="/start")
            replies = await _say(client, auth, action=_action(replies, "Đồng ý"))
            replies = await _say(client, auth, action=_action(replies, "Cán bộ"))
            replies = await _say(client, auth, text="tai chinh")
            replies = await _say(client, auth, action=_action(replies, "Sở Tài chính"))
            assert "họ và tên" in replies[0]["text"]
    with serve_in_thread(create_app(settings)) as url:  # a new process-equivalent: new app, pool
        async with httpx.AsyncClient(base_url=url) as client:
            replies = await _say(client, auth, text="Võ Minh Khang")
            assert "Chức vụ" in replies[0]["text"]
            replies = await _say(client, auth, text="Kế toán viên")
            assert "Sở Tài chính" in replies[0]["text"]
    with serve_in_thread(create_app(settings)) as url:
        async with httpx.AsyncClient(base_url=url) as client:
            replies = await _say(client, auth, text="/hoso")
            assert "Võ Minh Khang" in replies[0]["text"]
            assert "Kế toán viên" in replies[0]["text"]
