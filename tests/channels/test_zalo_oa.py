"""Zalo Official Account end to end over loopback HTTP: signed webhooks stored then processed,
quick replies, the single-use refresh-token chain, and the consultation window."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.channels.zalo_oa import ZaloOaChannel
from bot.core.notify import RetryLater, Unreachable
from bot.core.replies import Button, Document, Image, Text, text
from bot.storage.models import ChannelInboxEvent, ZaloOaToken
from tests.channels.conftest import ZaloOaRig, built_app


async def _inbox_count(rig: ZaloOaRig) -> int:
    async with rig.app.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(ChannelInboxEvent)))


async def test_wrong_or_missing_signature_is_refused_and_nothing_is_kept(
    zalo_oa_rig: ZaloOaRig,
) -> None:
    event = zalo_oa_rig.fake.user_says("oa1", "/start")
    assert await zalo_oa_rig.deliver(event, signature="0" * 64) == 401
    assert await zalo_oa_rig.deliver(event, signature="", prefix="") == 401
    assert await _inbox_count(zalo_oa_rig) == 0
    assert zalo_oa_rig.fake.messages == []
    assert await zalo_oa_rig.app.services.users.find(channel="zalo_oa", external_id="oa1") is None
    assert await zalo_oa_rig.deliver(event, prefix="") == 200  # unprefixed genuine signature
    assert any("Xin chào" in t for t in zalo_oa_rig.fake.texts("oa1"))


async def test_a_redelivered_event_is_processed_once(zalo_oa_rig: ZaloOaRig, clock) -> None:
    event = zalo_oa_rig.fake.user_says("oa1", "/start")
    assert await zalo_oa_rig.deliver(event) == 200
    sent = len(zalo_oa_rig.fake.messages)
    assert await zalo_oa_rig.deliver(event) == 200  # the inbox has it: not even stored again
    assert len(zalo_oa_rig.fake.messages) == sent > 0
    # what people wrote is not kept: processed events are pruned after two days, and so are
    # the replies kept for redeliveries …
    clock.advance(timedelta(days=3))
    assert await zalo_oa_rig.app.services.channels.prune_events() == 1
    await zalo_oa_rig.app.services.users.forget_processed_events(older_than=timedelta(days=7))
    assert await _inbox_count(zalo_oa_rig) == 0
    # … and a very late redelivery is still recognised by the engine (handled, nothing resent)
    assert await zalo_oa_rig.deliver(event) == 200
    assert len(zalo_oa_rig.fake.messages) == sent


async def test_a_stored_event_whose_reply_failed_is_answered_from_the_kept_replies(
    zalo_oa_rig: ZaloOaRig, monkeypatch
) -> None:
    """The turn committed, the reply did not go out (the OA API failing for a while): the event
    stays in the inbox, and the next drain sends the kept reply without handling it again."""
    sender, fake = zalo_oa_rig.channel.sender, zalo_oa_rig.fake
    # every attempt of the paced reply fails (bot.channels.delivery tries 3 times)
    real_send, failures = sender.send, [RetryLater("Bad Gateway") for _ in range(3)]
    users = zalo_oa_rig.app.services.users
    real_touch, turns = users.begin_turn, []

    async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return await real_send(*args, **kwargs)

    async def counted(**kwargs):  # type: ignore[no-untyped-def]
        begun = await real_touch(**kwargs)
        turns.append(begun is not None)
        return begun

    monkeypatch.setattr(sender, "send", failing)
    monkeypatch.setattr(users, "begin_turn", counted)
    assert await zalo_oa_rig.deliver(fake.user_says("oa1", "/start")) == 200  # two drains
    assert turns == [True, False]  # handled once; the second time the kept reply was sent
    assert await _pending(zalo_oa_rig) == 0
    assert await zalo_oa_rig.deliver(fake.user_says("oa2", "/start")) == 200  # for comparison
    assert fake.texts("oa1") == fake.texts("oa2") and "Xin chào" in fake.texts("oa1")[0]


async def _pending(rig: ZaloOaRig) -> int:
    return len(await rig.app.services.channels.pending_events(channel="zalo_oa"))


async def test_follow_greets_and_unfollow_is_recorded(zalo_oa_rig: ZaloOaRig) -> None:
    assert await zalo_oa_rig.deliver(zalo_oa_rig.fake.user_follows("oa2")) == 200
    assert "Cảm ơn anh/chị đã quan tâm" in zalo_oa_rig.fake.texts("oa2")[0]
    assert await zalo_oa_rig.deliver(zalo_oa_rig.fake.user_follows("oa2", follow=False)) == 200
    _, following = await zalo_oa_rig.app.services.channels.oa_last_interaction("oa2")
    assert following is False
    assert len(zalo_oa_rig.fake.texts("oa2")) == 1


async def test_images_files_and_stickers(zalo_oa_rig: ZaloOaRig) -> None:
    for kind in ("image", "file", "sticker"):
        assert await zalo_oa_rig.deliver(zalo_oa_rig.fake.user_sends("oa1", kind)) == 200
    texts = zalo_oa_rig.fake.texts("oa1")
    assert len(texts) == 3 and "chỉ đọc được tin nhắn chữ" in texts[2]


async def test_events_kept_while_storage_failed_are_processed_by_the_sweep(
    zalo_oa_rig: ZaloOaRig,
    monkeypatch,
) -> None:
    engine = zalo_oa_rig.app.engine
    real = engine.handle

    async def down(event: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(engine, "handle", down)
    assert await zalo_oa_rig.deliver(zalo_oa_rig.fake.user_says("oa1", "/start")) == 200
    assert zalo_oa_rig.fake.messages == []  # answered in time, kept, not processed
    monkeypatch.setattr(engine, "handle", real)
    assert await zalo_oa_rig.channel.drain() == 1
    assert any("Xin chào" in t for t in zalo_oa_rig.fake.texts("oa1"))


async def test_refresh_tokens_are_spent_once_and_the_new_one_is_stored(
    zalo_oa_rig: ZaloOaRig,
    clock,
) -> None:
    fake = zalo_oa_rig.fake
    await zalo_oa_rig.chat.say("/start")
    assert fake.refreshes == 1 and "rt-0" not in fake.refresh_tokens
    async with zalo_oa_rig.app.db.transaction() as session:
        row = await session.scalar(select(ZaloOaToken))
    assert row is not None and row.refresh_token in fake.refresh_tokens
    await zalo_oa_rig.chat.say("/menu")
    assert fake.refreshes == 1  # the access token is reused while valid
    fake.revoke_access_tokens()
    await zalo_oa_rig.chat.say("/menu")
    assert fake.refreshes == 2
    clock.advance(timedelta(hours=26))
    await zalo_oa_rig.chat.say("/menu")
    assert fake.refreshes == 3
    # a restarted process (same database, same spent settings token) keeps the chain going
    again = await built_app(zalo_oa_rig.app.settings, clock)
    try:
        sender = ZaloOaChannel.from_app(again)
        assert sender is not None
        fake.revoke_access_tokens()
        await sender.sender.send("oa1", [Text("Nhắc việc")])
        assert fake.refreshes == 4 and fake.texts("oa1")[-1] == "Nhắc việc"
        await sender.sender.client.close()
    finally:
        await again.close()


async def test_pushes_outside_the_consultation_window_are_unreachable(
    zalo_oa_rig: ZaloOaRig,
    clock,
) -> None:
    sender = zalo_oa_rig.channel.sender
    with pytest.raises(Unreachable) as never:
        await sender.send("stranger", [Text("Nhắc việc")])
    assert never.value.reason == "zalo_oa_window"
    await zalo_oa_rig.chat.say("/start")
    clock.advance(timedelta(hours=47))
    await sender.send("oa1", [Text("Còn 3 ngày")])
    clock.advance(timedelta(hours=2))
    with pytest.raises(Unreachable) as late:
        await sender.send("oa1", [Text("Còn 1 ngày")])
    assert late.value.reason == "zalo_oa_window"
    zalo_oa_rig.fake.outside_window.add("oa1")  # the platform's own verdict (-230) counts too
    clock.advance(timedelta(hours=-2))
    with pytest.raises(Unreachable):
        await sender.send("oa1", [Text("Còn 1 ngày")])


async def test_long_texts_many_buttons_images_and_files(zalo_oa_rig: ZaloOaRig) -> None:
    await zalo_oa_rig.chat.say("/start")
    before = len(zalo_oa_rig.fake.messages)
    many = [Button(f"Đơn vị số {i}", f"u:{i}") for i in range(8)]
    await zalo_oa_rig.channel.sender.send(
        "oa1",
        [
            Text("Thông tin dài. " * 120),
            text("Chọn đơn vị", *[[b] for b in many]),
            Image(caption="Biểu đồ", data=b"\x89PNG....", file_name="chart.png"),
            Document(file_name="ket-qua.xlsx", data=b"PK..", caption="Kết quả"),
            Document(file_name="huong-dan.pdf", data=b"%PDF-1.4", caption=""),
        ],
    )
    sent = [m["message"] for m in zalo_oa_rig.fake.messages[before:]]
    assert all(len(m.get("text", "")) <= 500 for m in sent)
    numbered = next(m["text"] for m in sent if "Chọn đơn vị" in m.get("text", ""))
    assert "8. Đơn vị số 7" in numbered and "từ 1 đến 8" in numbered
    assert any(
        m.get("attachment", {}).get("payload", {}).get("template_type") == "media" for m in sent
    )
    assert any("chưa gửi được tệp" in m.get("text", "") for m in sent)  # xlsx not accepted
    assert sent[-1]["attachment"]["type"] == "file"


async def test_erasure_over_the_oa_is_answered_and_keeps_no_contact(
    zalo_oa_rig: ZaloOaRig,
) -> None:
    """Issue 12, item 7: /xoadulieu deletes the OA contact (the person's platform id) in the
    turn, and the confirmation still reaches the person: it answers what they just wrote."""
    from bot.storage.models import ZaloOaContact

    chat = zalo_oa_rig.chat
    await chat.say("/start")
    await chat.press("Đồng ý")
    await chat.press("Người dân")
    await chat.say("/xoadulieu")
    shown = await chat.press("Xóa hẳn")
    assert "Đã xóa hẳn dữ liệu cá nhân" in shown
    app = zalo_oa_rig.app
    assert await app.services.users.find(channel="zalo_oa", external_id="oa1") is None
    async with app.db.transaction() as session:
        assert await session.get(ZaloOaContact, "oa1") is None
        events = (await session.scalars(select(ChannelInboxEvent))).all()
    # Only the erasure request itself, processed after the erasure ran, waits for the pruning.
    assert len(events) <= 1
