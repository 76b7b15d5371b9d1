"""Zalo Bot Platform end to end over loopback HTTP: no buttons, so every choice is a number."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from bot.channels.media import MediaStore
from bot.channels.zalo_bot_api import ZaloBotClient, ZaloBotSender
from bot.config import Settings, get_settings
from bot.core.notify import RetryLater, Unreachable
from bot.core.replies import Button, Image, Text, text
from tests.channels.conftest import ZB_TOKEN, ZaloBotRig, served_bot
from tests.fakes.zalo_bot_api import FakeZaloBot


async def test_a_choice_can_be_typed_as_its_label_without_diacritics(
    zalo_bot_rig: ZaloBotRig,
) -> None:
    shown = await zalo_bot_rig.chat.say("/start")
    assert "2. Không đồng ý" in shown and "Anh/chị trả lời 1 hoặc 2 (hoặc gõ tên mục)." in shown
    await zalo_bot_rig.chat.converse("""
        > dong y
        < Anh/chị là
        > nguoi dan
        < Đăng ký xong
    """)


async def test_a_redelivered_event_is_handled_once_and_answered_again(
    zalo_bot_rig: ZaloBotRig, monkeypatch
) -> None:
    fake = zalo_bot_rig.fake
    users = zalo_bot_rig.app.services.users
    real, consents = users.record_consent, []

    async def counted(user_id: int) -> None:
        consents.append(user_id)
        await real(user_id)

    monkeypatch.setattr(users, "record_consent", counted)
    assert await fake.post_webhook(fake.user_says("z1", "/start")) == 200
    event = fake.user_says("z1", "1")  # "Đồng ý"
    assert await fake.post_webhook(event) == 200
    answer = fake.texts("z1")[-1]
    assert "Anh/chị là" in answer
    assert await fake.post_webhook(event, wrapped=False) == 200  # same event, flat this time
    assert len(consents) == 1 and fake.texts("z1")[-2:] == [answer, answer]


async def test_a_reply_that_failed_to_go_out_is_sent_on_the_redelivery(
    zalo_bot_rig: ZaloBotRig, monkeypatch
) -> None:
    fake = zalo_bot_rig.fake
    sender = zalo_bot_rig.app.notifier.senders["zalo_bot"]  # type: ignore[attr-defined]
    # every attempt of the paced reply fails (bot.channels.delivery tries 3 times)
    real_send, failures = sender.send, [RetryLater("Bad Gateway") for _ in range(3)]

    async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if failures:
            raise failures.pop()
        return await real_send(*args, **kwargs)

    monkeypatch.setattr(sender, "send", failing)
    event = fake.user_says("z1", "/start")
    assert await fake.post_webhook(event) == 503
    assert fake.texts("z1") == []
    assert await fake.post_webhook(event) == 200
    assert await fake.post_webhook(fake.user_says("z2", "/start")) == 200  # for comparison
    assert fake.texts("z1") == fake.texts("z2") and "Xin chào" in fake.texts("z1")[0]


async def test_wrong_or_missing_secret_is_refused_and_changes_nothing(
    zalo_bot_rig: ZaloBotRig,
) -> None:
    fake = zalo_bot_rig.fake
    event = fake.user_says("z1", "/start")
    assert await fake.post_webhook(event, secret="wrong-secret-123") == 403
    assert await fake.post_webhook(event, use_configured_secret=False) == 403
    assert fake.messages == []
    assert await zalo_bot_rig.app.services.users.find(channel="zalo_bot", external_id="z1") is None


async def test_stickers_images_groups_get_a_short_reply_or_nothing(
    zalo_bot_rig: ZaloBotRig,
) -> None:
    fake = zalo_bot_rig.fake
    for kind in ("sticker", "unsupported", "image"):
        assert await fake.post_webhook(fake.user_sends("z1", kind), wrapped=False) == 200
    assert await fake.post_webhook(fake.user_says("g1", "xin chào", chat_type="GROUP")) == 200
    texts = fake.texts("z1")
    assert sum("chỉ đọc được tin nhắn chữ" in t for t in texts) == 2
    assert "tệp" in texts[-1]
    assert fake.texts("g1") == []


async def test_sender_splits_long_texts_links_images_and_maps_blocked(
    fake_zalo_bot: FakeZaloBot,
    tmp_path,
) -> None:
    settings = get_settings(
        zalo_bot_token=ZB_TOKEN, zalo_bot_api_base_url=fake_zalo_bot.base_url, _env_file=None
    )
    media = MediaStore(tmp_path / "media", "https://bot.example.vn")
    sender = ZaloBotSender(ZaloBotClient.from_settings(settings), media)
    long = "\n\n".join(f"Đoạn {i}. " + "dịch vụ công trực tuyến " * 30 for i in range(10))
    await sender.send(
        "z9",
        [
            text(long, [Button("Có", "x:1"), Button("Không", "x:2")]),
            Image(caption="Biểu đồ", data=b"\x89PNG....", file_name="c.png"),
        ],
    )
    sent = fake_zalo_bot.messages
    assert len(sent) >= 4 and all(len(m.get("text", "")) <= 2000 for m in sent)
    assert "1. Có\n2. Không" in sent[-2]["text"]
    assert sent[-1]["method"] == "sendPhoto"
    assert sent[-1]["photo"].startswith("https://bot.example.vn/media/")
    token, name = sent[-1]["photo"].split("/media/")[1].split("/")
    assert media.path(token, name) is not None
    fake_zalo_bot.blocked_chats = {"z9"}
    with pytest.raises(Unreachable):
        await sender.send("z9", [Text("Nhắc việc")])
    await sender.client.close()


async def test_sender_resumes_after_the_pieces_already_sent(
    fake_zalo_bot: FakeZaloBot, tmp_path
) -> None:
    """A retry of a long push (skip = pieces delivered before the failure) sends only the rest,
    and a failure says how many pieces had gone out."""
    settings = get_settings(
        zalo_bot_token=ZB_TOKEN, zalo_bot_api_base_url=fake_zalo_bot.base_url, _env_file=None
    )
    sender = ZaloBotSender(ZaloBotClient.from_settings(settings), MediaStore(tmp_path, ""))
    long = "\n\n".join(f"Đoạn {i}. " + "dịch vụ công trực tuyến " * 60 for i in range(4))
    await sender.send("z7", [Text(long)])
    whole = [m["text"] for m in fake_zalo_bot.messages]
    assert len(whole) == 4
    await sender.send("z7", [Text(long)], skip=2)
    assert [m["text"] for m in fake_zalo_bot.messages[4:]] == whole[2:]
    fake_zalo_bot.blocked_chats = {"z7"}
    with pytest.raises(Unreachable) as refused:
        await sender.send("z7", [Text(long)], skip=3)
    assert refused.value.delivered == 3
    await sender.client.close()


async def test_polling_mode_processes_queued_events(
    db_url: str,
    tmp_path,
    clock,
    fake_zalo_bot: FakeZaloBot,
) -> None:
    def settings(_: str) -> Settings:
        return get_settings(
            database_url=db_url,
            data_dir=tmp_path / "data",
            _env_file=None,
            zalo_bot_token=ZB_TOKEN,
            zalo_bot_api_base_url=fake_zalo_bot.base_url,
        )

    async with served_bot(clock, settings):
        fake_zalo_bot.queue(fake_zalo_bot.user_says("z2", "/start"))
        for _ in range(200):
            if fake_zalo_bot.texts("z2"):
                break
            await asyncio.sleep(0.02)
        assert any("Xin chào" in t for t in fake_zalo_bot.texts("z2"))


async def test_a_long_poll_left_open_ends_at_a_reset_and_takes_no_later_event(
    fake_zalo_bot: FakeZaloBot,
) -> None:
    """A bot stopped by one test may leave its getUpdates waiting in the shared fake; woken
    later, that poll took the next test's event to a client that was gone. A reset now ends
    it at once (408), and an event queued afterwards waits for the next poll."""
    async with httpx.AsyncClient(timeout=10) as client:
        url = f"{fake_zalo_bot.base_url}{ZB_TOKEN}/getUpdates"
        poll = asyncio.create_task(client.post(url, json={"timeout": 5}))
        for _ in range(250):
            if fake_zalo_bot._waiters:
                break
            await asyncio.sleep(0.02)
        fake_zalo_bot.reset()
        answer = await asyncio.wait_for(poll, timeout=2)
        event = fake_zalo_bot.queue(fake_zalo_bot.user_says("z3", "xin chào"))
        assert answer.status_code == 408
        later = await client.post(url, json={"timeout": 1})
    assert later.json() == {"ok": True, "result": event}


async def test_erasure_removes_the_linked_copy_of_the_data_export(zalo_bot_rig: ZaloBotRig) -> None:
    """Zalo Bot takes files as links, so /dulieucuatoi leaves a copy under DATA_DIR/media; the
    person's erasure removes it (it was kept 7 days before), and other people's files stay."""
    chat, fake = zalo_bot_rig.chat, zalo_bot_rig.fake
    await chat.say("/start")
    await chat.converse("""
        > dong y
        > nguoi dan
        < Đăng ký xong
    """)
    shown = await chat.say("/dulieucuatoi")
    [link] = re.findall(r"https?://\S+/media/\S+\.json", shown)
    media = MediaStore.from_settings(zalo_bot_rig.app.settings)
    others = media.put(b"{}", "someone-else.json", owner="zalo_bot:z2")
    async with httpx.AsyncClient() as web:
        assert (await web.get(link)).status_code == 200
        await chat.converse("""
            > /xoadulieu
            > xoa han
            < Đã xóa hẳn dữ liệu cá nhân
        """)
        assert (await web.get(link)).status_code == 404
        assert (await web.get(others)).status_code == 200
        assert (await web.get(link.rsplit("/", 1)[0] + "/.owner")).status_code == 404
    assert fake.texts("z1")
