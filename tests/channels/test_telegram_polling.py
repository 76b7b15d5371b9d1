"""Telegram long polling: updates fetched with getUpdates reach the engine, and an update that
met a storage outage is retried until processed (the offset only moves on afterwards)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from sqlalchemy.exc import OperationalError

from bot.config import Settings, get_settings
from bot.core.clock import FrozenClock
from bot.core.notify import RetryLater
from tests.channels.conftest import TG_TOKEN, served_bot
from tests.fakes.telegram_api import FakeTelegram


async def _until(condition, seconds: float = 10.0) -> None:  # type: ignore[no-untyped-def]
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def test_polling_processes_updates_and_survives_a_storage_outage(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    monkeypatch,
) -> None:
    fake_telegram.webhook = {"url": "https://old.example/hook"}  # deleted on start
    failures: list[dict[str, str]] = []

    def settings(_: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            telegram_bot_token=TG_TOKEN,
            telegram_api_base_url=fake_telegram.base_url,
        )

    async with served_bot(clock, settings) as (app, _, _url):
        users = app.services.users
        real_begin = users.begin_turn

        async def flaky(**kwargs: str):  # type: ignore[no-untyped-def]
            if not failures:
                failures.append(kwargs)
                raise OperationalError("SELECT 1", {}, Exception("connection refused"))
            return await real_begin(**kwargs)

        monkeypatch.setattr(users, "begin_turn", flaky)
        await _until(lambda: not fake_telegram.webhook)
        fake_telegram.user_says(42, "/start")
        await _until(lambda: any(m["reply_markup"] for m in fake_telegram.sent_to(42)))
        fake_telegram.press_button(42, "Đồng ý")
        await _until(lambda: any("Anh/chị là" in t for t in fake_telegram.texts(42)))
    assert failures, "the outage was not exercised"
    assert len(fake_telegram.callback_answers) == 1
    assert sum("Xin chào" in t for t in fake_telegram.texts(42)) == 1  # processed once


async def test_polling_retries_an_update_whose_reply_failed_and_sends_the_kept_reply(
    db_url: str,
    tmp_path: Path,
    clock: FrozenClock,
    fake_telegram: FakeTelegram,
    monkeypatch,
) -> None:
    """The reply of a handled update did not go out (a bug in sending, then the Bot API failing
    for a while): the offset stays, the update is tried again, and the kept reply goes out; the
    handler ran once. A later update is not held up for ever by one that keeps failing."""
    monkeypatch.setattr("bot.channels.telegram_channel.PROCESS_ATTEMPTS", 3)

    def settings(_: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            telegram_bot_token=TG_TOKEN,
            telegram_api_base_url=fake_telegram.base_url,
        )

    async with served_bot(clock, settings) as (app, _, _url):
        sender = app.notifier.senders["telegram"]  # type: ignore[attr-defined]
        real_send = sender.send
        failures: list[Exception] = [RecursionError("splitting")]
        failures += [RetryLater("Bad Gateway", retry_after=0.01)] * 3
        users = app.services.users
        real_begin, turns = users.begin_turn, []

        async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
            if failures:
                raise failures.pop(0)
            return await real_send(*args, **kwargs)

        async def counted(**kwargs):  # type: ignore[no-untyped-def]
            begun = await real_begin(**kwargs)
            turns.append(begun is not None)
            return begun

        async def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            raise RecursionError("always")

        monkeypatch.setattr(sender, "send", failing)
        monkeypatch.setattr(users, "begin_turn", counted)
        fake_telegram.user_says(42, "/start")
        await _until(lambda: any("Xin chào" in t for t in fake_telegram.texts(42)), 30)
        assert turns == [True, False, False]  # handled once, the kept reply sent on the retry
        monkeypatch.setattr(sender, "send", broken)
        fake_telegram.user_says(43, "/start")  # its reply can never be sent: given up …
        await _until(lambda: len(turns) == 6, 30)
        monkeypatch.setattr(sender, "send", real_send)
        fake_telegram.user_says(44, "/start")  # … and the next update is handled
        await _until(lambda: any("Xin chào" in t for t in fake_telegram.texts(44)), 30)
    assert sum("Xin chào" in t for t in fake_telegram.texts(42)) == 1
    assert turns == [True, False, False, True, False, False, True]


async def test_a_long_poll_left_open_ends_at_a_reset_and_leaves_no_call(
    fake_telegram: FakeTelegram,
) -> None:
    """A bot stopped by one test may leave its getUpdates waiting in the shared fake; that poll
    ended later and showed up among the next test's calls (a flaky "no call after a refused
    token" check). A reset now ends it at once, with no updates, and it is not recorded."""
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{fake_telegram.base_url}{TG_TOKEN}/getUpdates"
        poll = asyncio.create_task(client.post(url, json={"timeout": 5}))
        await _until(lambda: bool(fake_telegram._update_waiters))
        fake_telegram.reset()
        answer = await asyncio.wait_for(poll, timeout=2)
    assert answer.json() == {"ok": True, "result": []}
    assert fake_telegram.calls == []
