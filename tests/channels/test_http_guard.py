"""Hostile requests are refused cheaply, before any work, over real HTTP against the running app
with all three webhooks and the web chat: oversized bodies (declared or streamed) get 413 before
they are read, slow bodies 408, slow headers a closed connection, deep JSON 400 before any parse
(signed or not), malformed but authenticated payloads are ignored (never 500), Zalo OA events
signed long ago (or with no timestamp) are refused, and the pages carry security headers."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import httpx
import pytest
import uvicorn
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.app import BotApp
from bot.channels import zalo_bot, zalo_oa
from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.guard.json_depth import nests_deeper_than
from bot.guard.slow_clients import uvicorn_options
from bot.server import create_app
from tests.channels.conftest import TG_SECRET, TG_TOKEN, ZB_SECRET, ZB_TOKEN, built_app
from tests.fakes.serve import bound_socket
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.fakes.zalo_oa_api import FakeZaloOa

LIMIT = 64 * 1024
TG, ZB, OA, WEB = "/tg/hook", "/zb/hook", "/webhook/zalo-oa", "/api/chat/messages"


@dataclass
class Served:
    app: BotApp
    url: str
    port: int
    oa: FakeZaloOa

    def oa_signed(self, body: bytes, timestamp: str) -> dict[str, str]:
        return {"X-ZEvent-Signature": "mac=" + self.oa.signature(body, timestamp)}


def _settings(base: str, db_url: str, tmp_path: Path, fakes: tuple) -> Settings:
    telegram, zalo, oa = fakes
    return get_settings(
        _env_file=None,
        database_url=db_url,
        data_dir=tmp_path / "data",
        public_base_url=base,
        max_request_bytes=LIMIT,
        request_body_seconds=1.0,
        request_header_seconds=1.0,
        telegram_bot_token=TG_TOKEN,
        telegram_api_base_url=telegram.base_url,
        telegram_webhook_url=f"{base}{TG}",
        telegram_webhook_secret=TG_SECRET,
        zalo_bot_token=ZB_TOKEN,
        zalo_bot_api_base_url=zalo.base_url,
        zalo_bot_webhook_url=f"{base}{ZB}",
        zalo_bot_webhook_secret=ZB_SECRET,
        zalo_oa_app_id=oa.app_id,
        zalo_oa_secret_key=oa.secret_key,
        zalo_oa_app_secret=oa.app_secret,
        zalo_oa_refresh_token="rt-0",
        zalo_oa_api_base_url=oa.url,
        zalo_oa_oauth_base_url=oa.url,
        zalo_oa_event_max_age_seconds=600,
    )


@pytest.fixture
async def served(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    fake_zalo_bot: FakeZaloBot,
    fake_zalo_oa: FakeZaloOa,
) -> AsyncIterator[Served]:
    """The app served by uvicorn as `cdsbot serve` runs it (its protocol and limits)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("HTTP checks do not depend on the database: SQLite is enough")
    sock = bound_socket()
    port = sock.getsockname()[1]
    config = _settings(
        f"http://127.0.0.1:{port}", db_url, tmp_path, (fake_telegram, fake_zalo_bot, fake_zalo_oa)
    )
    app = await built_app(config, clock)
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(config, bot=app),
            log_level="warning",
            lifespan="on",
            access_log=False,
            **uvicorn_options(config),
        )
    )
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:
        assert not task.done()
        await asyncio.sleep(0.01)
    try:
        yield Served(app, f"http://127.0.0.1:{port}", port, fake_zalo_oa)
    finally:
        server.should_exit = True
        await task
        sock.close()
        await app.close()


async def _raw(port: int, request: bytes, *, wait: float = 5.0) -> tuple[bytes, float]:
    """Send raw bytes, read until the server answers or closes; (answer, seconds taken)."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(request)
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(65536), wait)
    finally:
        writer.close()
    return answer, time.monotonic() - started


def _status(answer: bytes) -> int:
    match = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return int(match.group(1)) if match else 0


@pytest.mark.parametrize("path", [TG, ZB, OA, WEB, "/api/chat/sessions"])
async def test_a_declared_oversized_body_is_refused_before_it_is_read(
    served: Served, path: str
) -> None:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Content-Length: {100 * 1024 * 1024}\r\n\r\n"
    ).encode()
    answer, took = await _raw(served.port, head + b"[" * 1000)  # 100 MB announced, 1 KB sent
    assert _status(answer) == 413 and took < 2.0
    assert "quá lớn".encode() in answer


async def test_a_streamed_oversized_body_is_cut_off_at_the_limit(served: Served) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(f"POST {WEB} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".encode())
    sent = 0
    try:
        for _ in range(10_000):  # 10 MB if it were all read
            writer.write(b"400\r\n" + b" " * 1024 + b"\r\n")
            await writer.drain()
            sent += 1024
            if reader.at_eof() or reader._buffer:  # type: ignore[attr-defined]
                break
            await asyncio.sleep(0)
    except ConnectionError:
        pass
    try:
        answer = await asyncio.wait_for(reader.read(65536), 5)
    except ConnectionResetError:  # closed with our bytes unread: the 413 may be lost on the way
        answer = b"HTTP/1.1 413 (connection reset)"
    writer.close()
    assert _status(answer) == 413
    assert sent < 20 * LIMIT  # refused while the body was still coming


async def test_a_slow_body_gets_408_and_slow_headers_a_closed_connection(served: Served) -> None:
    head = f"POST {WEB} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{{".encode()
    answer, took = await _raw(served.port, head)
    assert _status(answer) == 408 and 0.9 < took < 3.0
    answer, took = await _raw(served.port, b"POST / HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert answer == b"" and 0.9 < took < 3.0  # closed without an answer
    # a slowloris that keeps sending header bytes is cut off all the same
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    started = time.monotonic()
    writer.write(b"GET /healthz HTTP/1.1\r\n")
    closed_after = None
    for _ in range(40):
        await asyncio.sleep(0.1)
        try:
            writer.write(b"X-a: b\r\n")
            await writer.drain()
        except ConnectionError:
            closed_after = time.monotonic() - started
            break
        if reader.at_eof():
            closed_after = time.monotonic() - started
            break
    writer.close()
    assert closed_after is not None and closed_after < 3.0


@pytest.mark.parametrize("path", [TG, ZB, OA, WEB])
async def test_deep_json_is_refused_before_parsing_signed_or_not(
    served: Served, path: str, caplog: pytest.LogCaptureFixture
) -> None:
    body = b"[" * 60_000
    headers = {
        "Content-Type": "application/json",
        "X-Telegram-Bot-Api-Secret-Token": TG_SECRET,
        "X-Bot-Api-Secret-Token": ZB_SECRET,
        "Authorization": "Bearer nothing",
        **served.oa_signed(body, ""),
    }
    async with httpx.AsyncClient(timeout=10) as client:
        for sent in (headers, {"Content-Type": "application/json"}):
            answer = await client.post(f"{served.url}{path}", content=body, headers=sent)
            assert 400 <= answer.status_code < 500, answer.status_code
    assert not [r for r in caplog.records if r.exc_info]


async def test_an_unsigned_zalo_oa_body_is_not_parsed(served: Served, monkeypatch) -> None:
    parsed: list[bytes] = []
    original = json.loads

    def spy(text: str | bytes, *args: object, **kwargs: object) -> object:
        parsed.append(text if isinstance(text, bytes) else text.encode())
        return original(text, *args, **kwargs)

    monkeypatch.setattr(zalo_oa.json, "loads", spy)
    event = served.oa.user_says("oa1", "xin chào")
    body = json.dumps(event).encode()
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await client.post(
            f"{served.url}{OA}", content=body, headers={"X-ZEvent-Signature": "0" * 64}
        )
    assert answer.status_code == 401 and parsed == []


async def test_malformed_but_authenticated_payloads_are_ignored(
    served: Served, caplog: pytest.LogCaptureFixture
) -> None:
    now = str(int(time.time() * 1000))
    oa_bodies = [
        {"event_name": "user_send_text", "sender": "x", "message": [1], "timestamp": now},
        {
            "event_name": "user_send_image",
            "sender": {"id": 5},
            "timestamp": now,
            "message": {"msg_id": {"a": 1}, "attachments": "x"},
        },
        {"event_name": "follow", "follower": 7, "timestamp": now},
        {"event_name": ["x"], "timestamp": now},
    ]
    async with httpx.AsyncClient(timeout=10) as client:
        for body in (
            {"update_id": "x", "message": 5},
            {"update_id": 1, "message": {"chat": 5}},
            {"update_id": 2, "callback_query": "x"},
            {
                "update_id": 3,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "chat": {"id": 1, "type": "private"},
                    "from": {"id": 1, "is_bot": False, "first_name": "A"},
                    "text": [1],
                },
            },
            {
                "update_id": 4,
                "message": {
                    "message_id": 1,
                    "date": 1,
                    "text": "x",
                    "chat": {"id": "9" * 500, "type": "private"},
                    "from": {"id": "9" * 500, "is_bot": False, "first_name": "A"},
                },
            },
            [1, 2],
        ):
            answer = await client.post(
                f"{served.url}{TG}",
                json=body,
                headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
            )
            assert answer.status_code in (200, 400), (body, answer.status_code)
        for body in (
            {"event_name": "message.text.received", "message": 5},
            {
                "result": [
                    {
                        "event_name": "message.text.received",
                        "message": {"chat": "x", "from": [], "text": {"a": 1}},
                    }
                ]
            },
        ):
            answer = await client.post(
                f"{served.url}{ZB}", json=body, headers={"X-Bot-Api-Secret-Token": ZB_SECRET}
            )
            assert answer.status_code == 200, (body, answer.status_code)
        for event in oa_bodies:
            raw = json.dumps(event).encode()
            answer = await client.post(
                f"{served.url}{OA}", content=raw, headers=served.oa_signed(raw, now)
            )
            assert answer.status_code == 200, (event, answer.status_code)
    await asyncio.sleep(0.5)  # the stored events are processed in the background
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


async def test_zalo_oa_events_out_of_the_time_window_are_refused(served: Served) -> None:
    fresh = served.oa.user_says("oa1", "xin chào")
    async with httpx.AsyncClient(timeout=10) as client:
        for shift_s, expected in ((-3600, 403), (+3600, 403), (-60, 200)):
            event = {**fresh, "timestamp": str(int((time.time() + shift_s) * 1000))}
            raw = json.dumps(event).encode()
            answer = await client.post(
                f"{served.url}{OA}", content=raw, headers=served.oa_signed(raw, event["timestamp"])
            )
            assert answer.status_code == expected, shift_s
        no_time = {k: v for k, v in fresh.items() if k != "timestamp"}
        raw = json.dumps(no_time).encode()
        answer = await client.post(
            f"{served.url}{OA}", content=raw, headers=served.oa_signed(raw, "")
        )
        assert answer.status_code == 401


async def test_pages_carry_security_headers_and_a_policy_hashing_their_inline_code(
    served: Served,
) -> None:
    page = resources.files("bot.channels").joinpath("static/chat.html").read_text("utf-8")
    inline = re.findall(r"<script>(.*?)</script>", page, re.S)
    async with httpx.AsyncClient(timeout=10) as client:
        home = await client.get(f"{served.url}/")
        api = await client.post(f"{served.url}/api/chat/sessions")
    policy = home.headers["content-security-policy"]
    for script in inline:  # any inline script must be allowed by its hash, and only by it
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy and "unsafe-inline" not in policy
    for answer in (home, api):
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["referrer-policy"] == "no-referrer"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = [
    "event_name",
    "message",
    "chat",
    "from",
    "id",
    "text",
    "sender",
    "follower",
    "msg_id",
    "attachments",
    "payload",
    "url",
    "size",
    "timestamp",
    "chat_type",
    "message_id",
    "photo",
]
SHAPED = st.recursive(
    st.none()
    | st.integers()
    | st.text(max_size=10)
    | st.sampled_from(
        [
            "message.text.received",
            "message.image.received",
            "user_send_text",
            "user_send_image",
            "follow",
            "PRIVATE",
            "GROUP",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(payload=st.one_of(JSON, SHAPED))
def test_payload_readers_are_total(payload: object) -> None:
    """Whatever an authenticated platform sends, reading it never raises."""
    for raw in zalo_bot.events_of(payload):
        zalo_bot.to_event(raw)
    if isinstance(payload, dict):
        zalo_bot.to_event(payload)
        zalo_oa.to_event(payload)
        zalo_oa.event_key(payload)
        zalo_oa.user_of(payload)


@settings(max_examples=200, deadline=None)
@given(depth=st.integers(0, 80), filler=st.text(alphabet='[]{}"\\ a:,1', max_size=30))
def test_nesting_is_measured_exactly_for_json(depth: int, filler: str) -> None:
    value: object = filler
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    text = json.dumps(value).encode()
    assert nests_deeper_than(text, 32) == (depth > 32)
