"""The web chat API over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest

from bot.app import BotApp
from bot.config import Settings
from bot.server import create_app
from tests.helpers.demo_units import load_demo_units
from tests.helpers.server import serve_in_thread


@pytest.fixture
def base_url(settings: Settings) -> Iterator[str]:
    """The real server (its own BotApp and event loop) with the demo units."""
    loader = BotApp.build(settings)
    asyncio.run(load_demo_units(loader.db))
    asyncio.run(loader.close())
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
    await load_demo_units(loader.db)
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


async def _quiz_started(client: httpx.AsyncClient, auth: dict[str, str]) -> list[dict]:
    """Register as a citizen and open a practice quiz: its first question."""
    replies = await _say(client, auth, text="/start")
    replies = await _say(client, auth, action=_action(replies, "Đồng ý"))
    replies = await _say(client, auth, action=_action(replies, "Người dân"))
    replies = await _say(client, auth, text="/kiemtra")
    return await _say(client, auth, action=replies[-1]["buttons"][0][0]["action"])


async def test_a_retried_message_is_handled_once(base_url: str) -> None:
    """The page re-sends a message whose answer was lost with the same client_id: the quiz
    records one answer, whatever the retry is answered with."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        question = await _quiz_started(client, auth)
        assert "Câu 1/" in question[-1]["text"]
        first = await _say(client, auth, text="A", client_id="0f8e7a52-1d5c-4c1e-9d3e-6b1f2a7c9e01")
        assert "Câu 2/" in first[-1]["text"]
        await _say(client, auth, text="A", client_id="0f8e7a52-1d5c-4c1e-9d3e-6b1f2a7c9e01")
        # Still at question 2: the retry did not answer it.
        state = (await client.get("/api/chat/state", headers=auth)).json()
        assert [b["label"] for b in state["flow"]["choices"]] == ["A", "B", "C", "D"]
        assert all(":1:" in b["action"] for b in state["flow"]["choices"])
        resumed = await _say(client, auth, action="cmd:tieptuc", client_id="resume-0000001")
        assert "Câu 2/" in resumed[-1]["text"]
        # A new message (a new id) is handled, and so is the same id in another session.
        second = await _say(
            client, auth, text="B", client_id="8c1d4e0b-9a7f-4f7e-8a55-2f0d3c6b7a11"
        )
        assert "Câu 3/" in second[-1]["text"]
        other = await _session(client)
        replies = await _say(client, other, text="/start", client_id="resume-0000001")
        assert "Xin chào" in replies[0]["text"]


async def test_client_ids_are_checked(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        for client_id in ("short", "x" * 65, "has space 123", "ký-tự-lạ-12345"):
            response = await client.post(
                "/api/chat/messages", json={"text": "hi", "client_id": client_id}, headers=auth
            )
            assert response.status_code == 422, client_id


async def test_state_names_the_open_flow_with_a_way_out(base_url: str) -> None:
    async with httpx.AsyncClient(base_url=base_url) as client:
        auth = await _session(client)
        assert (await client.get("/api/chat/state", headers=auth)).json() == {"flow": None}
        assert (await client.get("/api/chat/state")).status_code == 401
        await _quiz_started(client, auth)
        flow = (await client.get("/api/chat/state", headers=auth)).json()["flow"]
        assert flow["step"] == "quiz.answer"
        assert flow["name"] == "Bài kiểm tra kỹ năng số"
        assert "Anh/chị đang làm dở: Bài kiểm tra kỹ năng số" in flow["notice"]
        assert [(b["label"], b["action"]) for b in flow["buttons"]] == [
            ("▶️ Tiếp tục", "cmd:tieptuc"),
            ("Thoát", "cmd:huy"),
        ]
        replies = await _say(client, auth, action="cmd:huy")
        replies = await _say(client, auth, action=_action(replies, "Bỏ bài này"))
        assert (await client.get("/api/chat/state", headers=auth)).json() == {"flow": None}


async def test_page_docs_and_assets_are_served_from_this_server(base_url: str) -> None:
    """Nothing comes from a CDN, and the page holds no inline script, style or event handler
    (a Content-Security-Policy of script-src 'self' and style-src 'self' allows it)."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        page = (await client.get("/")).text
        for inline in ("<style", " style=", " onclick=", " onload=", " onerror=", " onsubmit="):
            assert inline not in page
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
        assert scripts and all('src="/static/' in attrs and not body for attrs, body in scripts)
        docs = (await client.get("/docs")).text
        assets = re.findall(r'(?:src|href)="([^"]+)"', page) + re.findall(
            r'(?:src|href)="([^"]+)"', docs
        )
        assert len(assets) >= 6
        for url in assets:
            assert url.startswith("/static/"), url
            response = await client.get(url)
            assert response.status_code == 200 and response.content, url
        assert "<script>" not in docs
        redoc = await client.get("/redoc")
        assert redoc.status_code == 307 and redoc.headers["location"] == "/docs"


@pytest.fixture
def limited_url(settings: Settings) -> Iterator[str]:
    """The real server with a small per-client session quota."""
    limited = settings.model_copy(update={"web_sessions_per_client": 3})
    with serve_in_thread(create_app(limited)) as url:
        yield url


async def test_opening_sessions_is_limited_per_client(limited_url: str) -> None:
    """Issue 12, item 6: each web session is a new anonymous person, so one client may open
    only WEB_SESSIONS_PER_CLIENT of them per window. The client is the address uvicorn reports:
    X-Forwarded-For counts only from a trusted proxy (here the loopback, uvicorn's default)."""
    async with httpx.AsyncClient(base_url=limited_url) as client:

        async def open_from(address: str) -> httpx.Response:
            return await client.post("/api/chat/sessions", headers={"X-Forwarded-For": address})

        first = await _session_from(client, "198.51.100.7")
        for _ in range(2):
            assert (await open_from("198.51.100.7")).status_code == 201
        refused = await open_from("198.51.100.7")
        assert refused.status_code == 429
        assert "quá nhiều phiên" in refused.json()["detail"]
        assert 0 < int(refused.headers["Retry-After"]) <= 3600
        assert (await open_from("198.51.100.8")).status_code == 201  # another client
        # One IPv6 /64 is one client (a household or office gets a whole /64).
        for host in ("2001:db8:7:1::1", "2001:db8:7:1::2", "2001:db8:7:1:ffff::3"):
            assert (await open_from(host)).status_code == 201
        assert (await open_from("2001:db8:7:1::99")).status_code == 429
        assert (await open_from("2001:db8:7:2::1")).status_code == 201
        # A refused client keeps using the sessions it has.
        assert await _say(client, first, text="/menu")


async def _session_from(client: httpx.AsyncClient, address: str) -> dict[str, str]:
    response = await client.post("/api/chat/sessions", headers={"X-Forwarded-For": address})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.json()['session']}"}
