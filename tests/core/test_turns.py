"""A turn is one unit of work: the claim of the update, the handler's writes, the state, the
notices and the replies kept for redeliveries commit together. A redelivery of a handled update
gets the kept replies again and never runs the handler a second time; a failed turn leaves
nothing behind but the answer it gave."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import BotApp
from bot.config import Settings
from bot.core.clock import FrozenClock
from bot.core.context import Context
from bot.core.events import IncomingEvent
from bot.core.replies import Document, Image, Text, text
from bot.core.router import Route
from bot.storage.models import OutboxMessage, ProcessedEvent

ERROR = "Trợ lý vừa gặp trục trặc"


def _event(command: str, key: str, user: str = "7") -> IncomingEvent:
    return IncomingEvent.from_text("telegram", user, f"/{command}", dedup_key=key)


async def _outbox(bot: BotApp) -> int:
    async with bot.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0)


async def _consented(bot: BotApp, user: str = "7") -> bool:
    profile = await bot.services.users.find(channel="telegram", external_id=user)
    return profile is not None and profile.consented


class Recorder:
    """A test handler that writes through the services, queues a notice, moves the state and
    then fails, waits or answers; counts its runs."""

    def __init__(self, *, fail: bool = False, gate: asyncio.Event | None = None) -> None:
        self.runs = 0
        self.fail = fail
        self.gate = gate
        self.entered = asyncio.Event()

    async def __call__(self, ctx: Context) -> Text:
        self.runs += 1
        await ctx.services.users.record_consent(ctx.user.id)
        ctx.notify("telegram", "8", Text("Có người vừa đồng ý."))
        ctx.goto("test.step", seen=self.runs)
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.fail:
            raise RuntimeError("a bug in the handler")
        return text(f"Lần chạy {self.runs}.", [])


def _route(bot: BotApp, name: str, handler: Recorder) -> None:
    bot.engine.router.commands[name] = Route(handler)


async def _known(bot: BotApp, *users: str) -> None:
    """People the notices go to must have written to the bot before."""
    for user in users:
        await bot.engine.handle(IncomingEvent.from_text("telegram", user, "/menu"))


async def test_a_redelivery_gets_the_kept_replies_and_the_handler_runs_once(bot: BotApp) -> None:
    await _known(bot, "8")
    handler = Recorder()
    _route(bot, "ghi", handler)
    first = await bot.engine.handle(_event("ghi", "tg:1"))
    again = await bot.engine.handle(_event("ghi", "tg:1"))
    assert handler.runs == 1
    assert again.replayed and again.replies == first.replies
    assert [r.text for r in first.replies] == ["Lần chạy 1."]  # type: ignore[attr-defined]
    assert await _outbox(bot) == 1  # the notice was queued once


async def test_a_failing_handler_is_rolled_back_and_its_answer_kept(bot: BotApp) -> None:
    await _known(bot, "8")
    handler = Recorder(fail=True)
    _route(bot, "ghi", handler)
    first = await bot.engine.handle(_event("ghi", "tg:1"))
    assert ERROR in first.replies[0].text  # type: ignore[attr-defined]
    assert not await _consented(bot)  # the service's write was rolled back …
    assert await _outbox(bot) == 0  # … and so was the notice
    again = await bot.engine.handle(_event("ghi", "tg:1"))
    assert handler.runs == 1 and again.replayed and again.replies == first.replies
    # the person's state did not move: the next message is handled from where they were
    handler.fail = False
    assert (await bot.engine.handle(_event("ghi", "tg:2"))).replies[0].text == "Lần chạy 2."  # type: ignore[attr-defined]
    assert await _consented(bot)


async def test_without_an_update_id_a_failed_turn_still_leaves_nothing(bot: BotApp) -> None:
    handler = Recorder(fail=True)
    _route(bot, "ghi", handler)
    answer = await bot.engine.handle(IncomingEvent.from_text("web", "w1", "/ghi"))
    assert ERROR in answer.replies[0].text  # type: ignore[attr-defined]
    assert not await _consented(bot, "w1")
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedEvent)) == 0


async def test_a_redelivery_during_the_first_turn_waits_for_it(
    settings: Settings, clock: FrozenClock
) -> None:
    """Two bot processes (two apps, no lock in common) get the same update at once: the second
    waits for the first turn to commit, then sends the first turn's replies; one handler run."""
    first_app, second_app = BotApp.build(settings, clock=clock), BotApp.build(settings, clock=clock)
    try:
        await _known(first_app, "8")
        gate = asyncio.Event()
        first_handler, second_handler = Recorder(gate=gate), Recorder()
        _route(first_app, "ghi", first_handler)
        _route(second_app, "ghi", second_handler)
        first = asyncio.create_task(first_app.engine.handle(_event("ghi", "tg:1")))
        await asyncio.wait_for(first_handler.entered.wait(), 10)
        second = asyncio.create_task(second_app.engine.handle(_event("ghi", "tg:1")))
        await asyncio.sleep(0.3)
        assert not second.done()  # waiting on the first turn's claim
        gate.set()
        answers = await asyncio.wait_for(asyncio.gather(first, second), 30)
    finally:
        await first_app.close()
        await second_app.close()
    assert (first_handler.runs, second_handler.runs) == (1, 0)
    assert answers[1].replayed and answers[1].replies == answers[0].replies
    assert answers[0].replies[0].text == "Lần chạy 1."  # type: ignore[attr-defined]


async def test_turns_of_two_processes_for_different_people_both_commit(
    settings: Settings, clock: FrozenClock
) -> None:
    """Turns of two processes interleave (each reads, waits, then writes): neither fails."""
    apps = [BotApp.build(settings, clock=clock) for _ in range(2)]
    try:
        gate = asyncio.Event()
        handlers = [Recorder(gate=gate), Recorder(gate=gate)]
        for app, handler in zip(apps, handlers, strict=True):
            _route(app, "ghi", handler)
        turns = [
            asyncio.create_task(app.engine.handle(_event("ghi", f"tg:{n}", user=f"p{n}")))
            for n, app in enumerate(apps)
        ]
        entered = [asyncio.create_task(h.entered.wait()) for h in handlers]
        await asyncio.wait(entered, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        assert any(task.done() for task in entered)
        await asyncio.sleep(0.2)
        gate.set()
        answers = await asyncio.wait_for(asyncio.gather(*turns), 60)
        assert [a.replies[0].text for a in answers] == ["Lần chạy 1."] * 2  # type: ignore[attr-defined]
        assert await _consented(apps[0], "p0") and await _consented(apps[0], "p1")
    finally:
        for app in apps:
            await app.close()


async def test_replies_are_kept_whole_and_large_files_are_named_instead(bot: BotApp) -> None:
    from bot.core.reply_codec import KEPT_FILE_BYTES

    chart = Image(
        caption="Biểu đồ", data=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, file_name="c.png"
    )
    linked = Image(caption="Ảnh", url="https://example.vn/a.png")
    export = Document("bao-cao.xlsx", b"PK" + b"\x00" * 1000, caption="Báo cáo", mime_type="x/y")
    huge = Document("lon.xlsx", b"\x01" * (KEPT_FILE_BYTES + 1))
    menu = text("Chọn:", [], edit_key="quiz:1")

    async def answer(ctx: Context) -> list[object]:
        return [menu, chart, linked, export, huge]

    bot.engine.router.commands["tep"] = Route(answer)  # type: ignore[arg-type]
    first = await bot.engine.handle(_event("tep", "tg:1"))
    again = await bot.engine.handle(_event("tep", "tg:1"))
    assert first.replies == [menu, chart, linked, export, huge]
    assert again.replies[:4] == [menu, chart, linked, export]
    assert isinstance(again.replies[4], Text) and '"lon.xlsx"' in again.replies[4].text


async def test_a_lost_race_on_the_state_rolls_the_turn_back(bot: BotApp, monkeypatch) -> None:
    """When another process saved the conversation meanwhile, this turn's writes are undone and
    the person is asked to send the message again (that answer is what a redelivery gets)."""
    from bot.core.state import StaleState

    handler = Recorder()
    _route(bot, "ghi", handler)

    store = bot.engine._store
    real_finish = store.finish

    async def lost(key, state, *rest):  # type: ignore[no-untyped-def]
        await real_finish(key, None, *rest)  # the replies are kept, the state loses the race
        raise StaleState(key)

    monkeypatch.setattr(store, "finish", lost)
    first = await bot.engine.handle(_event("ghi", "tg:1"))
    assert "gửi lại tin vừa rồi" in first.replies[0].text  # type: ignore[attr-defined]
    assert not await _consented(bot)
    assert (await bot.engine.handle(_event("ghi", "tg:1"))).replies == first.replies


@pytest.mark.parametrize("days", [1, 3])
async def test_kept_replies_last_the_replay_window(
    bot: BotApp, clock: FrozenClock, days: int
) -> None:
    await bot.engine.handle(_event("menu", "tg:1"))
    clock.advance(timedelta(days=days))
    await bot.services.users.forget_processed_events(older_than=timedelta(days=7))
    again = await bot.engine.handle(_event("menu", "tg:1"))
    assert again.replayed and bool(again.replies) is (days < 2)


async def test_the_outbox_sender_is_woken_only_for_committed_notices(bot: BotApp) -> None:
    await _known(bot, "8")
    woken: list[int] = []
    bot.notifier.on_queued = lambda: woken.append(1)  # type: ignore[attr-defined]
    handler = Recorder(fail=True)
    _route(bot, "ghi", handler)
    await bot.engine.handle(_event("ghi", "tg:1"))
    assert woken == []  # the notice was rolled back with the turn
    handler.fail = False
    await bot.engine.handle(_event("ghi", "tg:2"))
    assert woken == [1] and await _outbox(bot) == 1
