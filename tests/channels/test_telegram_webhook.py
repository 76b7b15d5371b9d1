"""Telegram end to end over loopback HTTP: the fake Bot API delivers updates to our webhook and
checks every reply we send (length, HTML, callback_data, command names)."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.exc import OperationalError

from bot.core.notify import RetryLater
from tests.channels.conftest import TG_SECRET, TelegramRig


async def test_deep_link_start_joins_the_unit_of_the_invitation(telegram_rig: TelegramRig) -> None:
    await telegram_rig.chat.converse("""
        > /start snv2026
        < Xin chào
        > [Đồng ý]
        > [Cán bộ]
        < Sở Nội vụ
        > [Đúng, đơn vị của tôi]
        < họ và tên
    """)


async def test_a_question_gets_an_answer(telegram_rig: TelegramRig) -> None:
    shown = await telegram_rig.chat.say("Làm sao đăng ký tài khoản VNeID mức 2?")
    assert shown.strip()


class CountedConsent:
    """Counts how often the consent button's handler recorded a consent (its effect)."""

    def __init__(self, rig: TelegramRig, monkeypatch, *, fail_once: bool = False) -> None:  # type: ignore[no-untyped-def]
        users = rig.app.services.users
        self.real = users.record_consent
        self.calls = 0
        self.fail_once = fail_once
        monkeypatch.setattr(users, "record_consent", self)

    async def __call__(self, user_id: int) -> None:
        self.calls += 1
        await self.real(user_id)
        if self.fail_once and self.calls == 1:
            raise RuntimeError("a bug after the write")


def _count(rig: TelegramRig, words: str) -> int:
    return sum(words in (m["text"] or "") for m in rig.fake.sent_to(42))


async def test_a_redelivered_update_is_handled_once_and_its_answer_sent_again(
    telegram_rig: TelegramRig, monkeypatch
) -> None:
    fake = telegram_rig.fake
    consent = CountedConsent(telegram_rig, monkeypatch)
    assert await fake.post_webhook(fake.user_says(42, "/start")) == 200
    press = fake.press_button(42, "Đồng ý")
    assert await fake.post_webhook(press) == 200
    assert _count(telegram_rig, "Anh/chị là") == 1
    assert await fake.post_webhook(press) == 200  # Telegram's redelivery
    assert consent.calls == 1  # handled once …
    assert _count(telegram_rig, "Anh/chị là") == 2  # … and answered again


async def test_a_reply_that_failed_to_go_out_is_sent_on_the_redelivery(
    telegram_rig: TelegramRig, monkeypatch
) -> None:
    """The turn committed, then sending its reply failed (any error: the webhook answers 5xx);
    Telegram redelivers and the kept reply goes out, without handling the update again."""
    fake = telegram_rig.fake
    consent = CountedConsent(telegram_rig, monkeypatch)
    sender = telegram_rig.app.notifier.senders["telegram"]  # type: ignore[attr-defined]
    real_send = sender.send
    failures: list[Exception] = [RecursionError("splitting")]
    failures += [RetryLater("Bad Gateway", retry_after=0.01)] * 3

    async def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        if "Anh/chị là" in str(args[1]) and failures:
            raise failures.pop(0)
        return await real_send(*args, **kwargs)

    assert await fake.post_webhook(fake.user_says(42, "/start")) == 200
    monkeypatch.setattr(sender, "send", failing)
    press = fake.press_button(42, "Đồng ý")
    assert await fake.post_webhook(press) == 500  # a bug while sending
    assert await fake.post_webhook(press) == 503  # the Bot API failing for a while (3 tries)
    assert _count(telegram_rig, "Anh/chị là") == 0
    assert await fake.post_webhook(press) == 200
    assert _count(telegram_rig, "Anh/chị là") == 1
    assert consent.calls == 1


async def test_a_handler_bug_is_rolled_back_and_the_same_answer_given_again(
    telegram_rig: TelegramRig, monkeypatch
) -> None:
    fake = telegram_rig.fake
    consent = CountedConsent(telegram_rig, monkeypatch, fail_once=True)
    assert await fake.post_webhook(fake.user_says(42, "/start")) == 200
    press = fake.press_button(42, "Đồng ý")
    assert await fake.post_webhook(press) == 200
    assert _count(telegram_rig, "trục trặc") == 1
    profile = await telegram_rig.app.services.users.find(channel="telegram", external_id="42")
    assert profile is not None and not profile.consented  # the write before the bug is undone
    assert await fake.post_webhook(press) == 200  # redelivered: the same answer, not run again
    assert _count(telegram_rig, "trục trặc") == 2 and consent.calls == 1
    await telegram_rig.chat.converse("""
        > [Đồng ý]
        < Anh/chị là
    """)


async def test_wrong_or_missing_secret_is_refused_and_changes_nothing(
    telegram_rig: TelegramRig,
) -> None:
    fake = telegram_rig.fake
    update = fake.user_says(42, "/start")
    assert await fake.post_webhook(update, secret="not-the-secret") == 403
    assert await fake.post_webhook(update, use_configured_secret=False) == 403
    assert fake.messages == []
    assert await telegram_rig.app.services.users.find(channel="telegram", external_id="42") is None
    # the genuine delivery of the same update is still processed
    assert await fake.post_webhook(update) == 200
    assert fake.messages


async def test_unsupported_updates_get_a_short_reply_or_nothing_never_an_error(
    telegram_rig: TelegramRig,
) -> None:
    fake = telegram_rig.fake
    for kind in ("sticker", "voice"):
        assert await fake.post_webhook(fake.user_sends(42, kind)) == 200
    assert await fake.post_webhook(fake.user_sends(42, "text", edited=True)) == 200
    assert await fake.post_webhook(fake.user_sends(42, "photo", caption="ảnh")) == 200
    assert await fake.post_webhook(fake.user_says(-100, "xin chào", chat_type="group")) == 200
    assert await fake.post_webhook(fake.user_says(-100, "/start", chat_type="group")) == 200
    assert await fake.post_webhook({"update_id": 1, "my_chat_member": {"weird": True}}) == 200
    texts = fake.texts(42)
    assert sum("chỉ đọc được tin nhắn chữ" in t for t in texts) == 2
    assert any("không đọc tin đã sửa" in t for t in texts)
    assert any("chưa cần tệp" in t or "tệp" in t for t in texts)
    assert [m["text"] for m in fake.sent_to(-100)] == [
        "Trợ lý chỉ trò chuyện riêng với từng người. Anh/chị nhắn riêng cho Trợ lý để dùng các "
        "chức năng."
    ]


async def test_storage_outage_answers_5xx_and_the_retry_is_processed(
    telegram_rig: TelegramRig,
    monkeypatch,
) -> None:
    users = telegram_rig.app.services.users
    real_begin = users.begin_turn

    async def down(**_: object) -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(users, "begin_turn", down)
    fake = telegram_rig.fake
    update = fake.user_says(42, "/start")
    assert await fake.post_webhook(update) >= 500
    assert fake.messages == []
    monkeypatch.setattr(users, "begin_turn", real_begin)
    assert await fake.post_webhook(update) == 200  # Telegram's redelivery
    assert any("Xin chào" in t for t in fake.texts(42))


async def test_malformed_bodies_are_refused_without_processing(telegram_rig: TelegramRig) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": TG_SECRET}
    async with httpx.AsyncClient(base_url=telegram_rig.url) as client:
        assert (
            await client.post("/tg/hook", content=b"{not json", headers=headers)
        ).status_code == 400
        assert (await client.post("/tg/hook", json=[1, 2], headers=headers)).status_code == 400
    assert telegram_rig.fake.messages == []


async def _post(rig: TelegramRig, update: dict[str, object]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{rig.url}/tg/hook",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": TG_SECRET},
        )


@pytest.mark.parametrize("webhook_answers", ["on"])
async def test_a_one_message_reply_goes_in_the_webhook_answer_and_again_on_redelivery(
    telegram_rig: TelegramRig,
) -> None:
    """The reply to a message that is one plain message is the webhook's answer (Telegram runs
    it): the bot makes no request of its own; a redelivery gets the kept reply the same way. A
    button press is still answered by calls."""
    fake = telegram_rig.fake
    start = fake.user_says(42, "/start")
    for _ in range(2):  # the delivery, then Telegram's redelivery of the same update
        response = await _post(telegram_rig, start)
        assert response.status_code == 200
        call = response.json()
        assert call["method"] == "sendMessage"
        assert call["chat_id"] == 42
        assert "Xin chào" in call["text"]
        assert call["parse_mode"] == "HTML"
        assert call["reply_markup"]["inline_keyboard"]  # the consent buttons
    assert not [c for c in fake.calls if c["method"] == "sendMessage"]  # none sent by the bot
    await fake.run_webhook_answer(call)  # as Telegram runs it: a valid sendMessage
    assert "Xin chào" in fake.sent_to(42)[-1]["text"]
    # A press needs answerCallbackQuery anyway: its reply is sent, the webhook answers empty.
    response = await _post(telegram_rig, fake.press_button(42, "Đồng ý"))
    assert response.status_code == 200
    assert not response.content
    assert _count(telegram_rig, "Anh/chị là") == 1


async def test_by_default_the_answer_is_the_webhooks_only_where_the_pace_is_the_processs_own(
    telegram_rig: TelegramRig,
) -> None:
    """TELEGRAM_WEBHOOK_ANSWERS=auto: on SQLite (one process) the reply is the webhook's answer;
    on PostgreSQL, whose pace is shared by every process, it is sent through the API in its slot
    (Telegram would send a webhook's answer at a moment no process controls)."""
    fake = telegram_rig.fake
    response = await _post(telegram_rig, fake.user_says(42, "/start"))
    assert response.status_code == 200
    shared = telegram_rig.app.services.reminders.limits.shared
    assert shared == (telegram_rig.app.db.dialect == "postgresql")
    if shared:
        assert not response.content
        assert "Xin chào" in fake.sent_to(42)[-1]["text"]
    else:
        assert response.json()["method"] == "sendMessage"
