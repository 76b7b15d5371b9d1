"""Issue 13 item 5: the server says it is ready only once the knowledge base's index and the word
segmenter are loaded, so the first question is answered without loading anything."""

from __future__ import annotations

import pytest

import bot.content.service as knowledge_service
from bot.app import BotApp
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.events import IncomingEvent
from bot.server import create_app
from tests.channels.conftest import built_app


def _no_lazy_loading(monkeypatch: pytest.MonkeyPatch) -> None:
    """From here on, reading the content files or building an index fails the test."""

    def forbidden(*_: object, **__: object) -> None:
        raise AssertionError("loaded lazily during a turn")

    monkeypatch.setattr(knowledge_service, "load_directory", forbidden)
    monkeypatch.setattr(knowledge_service, "index_for", forbidden)
    monkeypatch.setattr(knowledge_service, "load_segmenter", forbidden)


async def test_the_first_question_after_start_loads_nothing(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    app: BotApp = await built_app(settings, clock)
    api = create_app(settings, bot=app)
    try:
        async with api.router.lifespan_context(api):  # what uvicorn runs before serving
            assert app.services.knowledge.warm
            _no_lazy_loading(monkeypatch)
            outgoing = await app.engine.handle(
                IncomingEvent.from_text("web", "w1", "lam sao dang ky vneid muc 2")
            )
        assert "VNeID" in outgoing.replies[0].text  # type: ignore[attr-defined]
    finally:
        await app.close()


async def test_the_segmenter_is_not_loaded_when_the_model_knows_every_topic(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: underthesea (~80 MB, a second or more) is only needed by the lexical ranking,
    which the shipped content, all known to the example-trained model, never uses."""

    def forbidden() -> None:
        raise AssertionError("the segmenter was loaded")

    monkeypatch.setattr(knowledge_service, "load_segmenter", forbidden)
    app: BotApp = await built_app(settings, clock)
    try:
        await app.warm_up()
        assert app.services.knowledge.warm
        outgoing = await app.engine.handle(
            IncomingEvent.from_text("web", "w1", "Đăng ký tài khoản định danh mức 2 ở đâu?")
        )
        assert "VNeID" in outgoing.replies[0].text  # type: ignore[attr-defined]
    finally:
        await app.close()


async def test_the_terminal_chat_warms_up_before_the_first_line(
    settings: Settings, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from bot.channels.console import run_console

    app: BotApp = await built_app(settings, clock)
    warmed: list[bool] = []
    original = app.services.knowledge.warm_up

    async def warm_up() -> None:
        await original()
        warmed.append(True)
        _no_lazy_loading(monkeypatch)

    monkeypatch.setattr(app.services.knowledge, "warm_up", warm_up)
    out = io.StringIO()
    try:
        await run_console(app, user_id="c1", stdin=io.StringIO("vneid la gi\n"), stdout=out)
    finally:
        await app.close()
    assert warmed and "VNeID" in out.getvalue()
