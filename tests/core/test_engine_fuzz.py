"""Whatever arrives — random Unicode, empty, huge, unknown actions — the engine answers in
Vietnamese and never raises (property-based, on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import BotApp
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.replies import Text
from tests.helpers.demo_units import load_demo_units

VIETNAMESE_LETTERS = set("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")

texts = st.one_of(
    st.text(max_size=300),
    st.just(""),
    st.text(min_size=1, max_size=3).map(lambda s: s * 5000),  # ~10,000 characters and more
    st.builds(lambda n: str(n), st.integers(-5, 50)),  # numbered answers, in and out of range
    st.sampled_from(
        [
            "/start",
            "/menu",
            "/hoso",
            "/huy",
            "/trogiup",
            "/xoadulieu",
            "Đồng ý",
            "nguoi dan",
            "/start skhcn2026",
            "/không",
            "/",
            "//",
            "/a" * 40,
        ]
    ),
)
actions = st.one_of(
    st.text(max_size=64),
    st.sampled_from(
        [
            "reg:consent:yes",
            "reg:role:staff",
            "reg:unit:999999",
            "reg:unit:x",
            "prof:edit:name",
            "erase:yes",
            "cmd:kiemtra",
            "cmd:xyz",
            "menu:ask",
            ":",
            "reg",
            "cmd:",
            "prof:unit:-1",
        ]
    ),
)


def events(channel: str, user: str) -> st.SearchStrategy[IncomingEvent]:
    return st.one_of(
        texts.map(lambda text: IncomingEvent.from_text(channel, user, text)),
        actions.map(lambda action: IncomingEvent.from_action(channel, user, action)),
        st.builds(
            lambda ref: IncomingEvent(
                channel, user, user, EventKind.ATTACHMENT, attachment=Attachment("photo", ref)
            ),
            st.text(min_size=1, max_size=20),
        ),
    )


@pytest.fixture
def running(
    settings: Settings, clock: FrozenClock
) -> Iterator[tuple[asyncio.AbstractEventLoop, BotApp]]:
    """A bot driven from a loop of its own, because hypothesis calls the test synchronously."""
    loop = asyncio.new_event_loop()
    app = BotApp.build(settings, clock=clock)
    loop.run_until_complete(load_demo_units(app.db))
    try:
        yield loop, app
    finally:
        loop.run_until_complete(app.close())
        loop.close()


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(data=st.data())
def test_engine_always_answers_in_vietnamese(running, data) -> None:
    loop, app = running
    user = data.draw(st.sampled_from(["fuzz-1", "fuzz-2", "fuzz-3"]))
    event = data.draw(events("fuzz", user))
    outgoing = loop.run_until_complete(app.engine.handle(event))
    assert outgoing.replies, f"no reply to {event!r}"
    shown = " ".join(r.text for r in outgoing.replies if isinstance(r, Text)).lower()
    assert VIETNAMESE_LETTERS & set(shown), f"reply is not Vietnamese: {shown!r}"
