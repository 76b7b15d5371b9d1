"""TelegramSender against the fake Bot API: rendering accepted as sent, and errors mapped."""

from __future__ import annotations

import pytest

from bot.channels.telegram import TelegramSender
from bot.config import get_settings
from bot.core.notify import Rejected, RetryLater, Unreachable
from bot.core.replies import Button, Document, Image, Text, text
from tests.channels.conftest import TG_TOKEN
from tests.fakes.telegram_api import FakeTelegram

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def sender_for(fake: FakeTelegram, refs: object | None = None) -> TelegramSender:
    settings = get_settings(
        telegram_bot_token=TG_TOKEN, telegram_api_base_url=fake.base_url, _env_file=None
    )
    return TelegramSender.from_settings(settings, refs=refs)  # type: ignore[arg-type]


class MemoryRefs:
    def __init__(self) -> None:
        self.refs: dict[tuple[str, str, str], str] = {}

    async def get_message_ref(self, *, channel: str, chat_id: str, key: str) -> str | None:
        return self.refs.get((channel, chat_id, key))

    async def put_message_ref(
        self, *, channel: str, chat_id: str, key: str, message_id: str
    ) -> None:
        self.refs[(channel, chat_id, key)] = message_id


async def test_text_is_escaped_html_with_an_inline_keyboard(fake_telegram: FakeTelegram) -> None:
    sender = sender_for(fake_telegram)
    typed = 'Tên <b>đơn vị</b> & "phòng" <script>'
    await sender.send("42", [text(typed, [Button("Đồng ý", "reg:yes"), Button("Không", "reg:no")])])
    [sent] = fake_telegram.sent_to(42)
    assert sent["text"] == typed  # what the person sees is exactly the text, no markup applied
    assert sent["parse_mode"] == "HTML"
    assert sent["reply_markup"] == {
        "inline_keyboard": [
            [
                {"text": "Đồng ý", "callback_data": "reg:yes"},
                {"text": "Không", "callback_data": "reg:no"},
            ]
        ]
    }
    await sender.close()


async def test_long_text_is_split_at_paragraphs_with_the_keyboard_on_the_last_part(
    fake_telegram: FakeTelegram,
) -> None:
    paragraphs = [f"Đoạn {i}: " + "chuyển đổi số " * 40 for i in range(30)]
    await sender_for(fake_telegram).send(
        "42", [text("\n\n".join(paragraphs), [Button("Tiếp", "more:1")])]
    )
    sent = fake_telegram.sent_to(42)
    assert len(sent) >= 3
    assert all(len(m["text"]) <= 4096 for m in sent)
    assert all(m["text"].startswith("Đoạn ") for m in sent)  # cut between paragraphs
    assert [m["reply_markup"] is not None for m in sent] == [False] * (len(sent) - 1) + [True]
    assert " ".join(" ".join(m["text"] for m in sent).split()) == " ".join(
        " ".join(paragraphs).split()
    )  # nothing lost or reordered


async def test_characters_outside_the_bmp_count_twice(fake_telegram: FakeTelegram) -> None:
    await sender_for(fake_telegram).send("42", [text("📌 " * 3000)])  # 6,000 UTF-16 units
    sent = fake_telegram.sent_to(42)
    assert len(sent) == 3
    assert "".join(m["text"] for m in sent).count("📌") == 3000


async def test_photo_document_and_a_caption_too_long_for_one(fake_telegram: FakeTelegram) -> None:
    await sender_for(fake_telegram).send(
        "42",
        [
            Image(caption="Biểu đồ <tuần>", data=PNG, file_name="chart.png"),
            Document(file_name="ket-qua.xlsx", data=b"PK\x03\x04data", caption="x" * 1500),
        ],
    )
    photo, document, rest = fake_telegram.sent_to(42)
    assert photo["method"] == "sendPhoto" and photo["caption"] == "Biểu đồ <tuần>"
    assert document["method"] == "sendDocument" and document["file_name"] == "ket-qua.xlsx"
    assert document["caption"] is None and rest["text"] == "x" * 1500


async def test_quiz_message_is_edited_in_place_when_its_button_was_pressed(
    fake_telegram: FakeTelegram,
) -> None:
    refs = MemoryRefs()
    sender = sender_for(fake_telegram, refs)
    [first] = await sender.send("42", [text("Câu 1/3", [Button("A", "q:a")], edit_key="quiz:7")])
    [again] = await sender.send(
        "42",
        [text("Câu 2/3", [Button("B", "q:b")], edit_key="quiz:7")],
        pressed_message_id=str(first),
    )
    assert again == first
    assert fake_telegram.texts(42) == ["Câu 2/3"]
    # typed rather than pressed: a new message, and the key now points at it
    [third] = await sender.send("42", [text("Câu 3/3", edit_key="quiz:7")])
    assert third != first and refs.refs[("telegram", "42", "quiz:7")] == str(third)
    assert fake_telegram.texts(42) == ["Câu 2/3", "Câu 3/3"]


async def test_rate_limit_maps_to_retry_later_with_the_servers_delay(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.configure(rate_limits=True)
    sender = sender_for(fake_telegram)
    await sender.send("42", [Text("một")])
    with pytest.raises(RetryLater) as caught:
        await sender.send("42", [Text("hai")])
    assert caught.value.retry_after == 1


async def test_blocked_user_is_unreachable(fake_telegram: FakeTelegram) -> None:
    fake_telegram.configure(blocked_chats=[7])
    with pytest.raises(Unreachable) as caught:
        await sender_for(fake_telegram).send("7", [Text("Nhắc việc")])
    assert caught.value.reason == "blocked"


async def test_bad_gateway_and_connection_errors_are_retried_later(
    fake_telegram: FakeTelegram,
) -> None:
    fake_telegram.configure(failure_rate=1.0, seed=3)
    with pytest.raises(RetryLater) as caught:
        await sender_for(fake_telegram).send("42", [Text("Nhắc việc")])
    assert caught.value.retry_after is None
    settings = get_settings(
        telegram_bot_token=TG_TOKEN, _env_file=None, telegram_api_base_url="http://127.0.0.1:9/bot"
    )
    with pytest.raises(RetryLater):
        await TelegramSender.from_settings(settings).send("42", [Text("Nhắc việc")])


async def test_a_refused_message_is_rejected(fake_telegram: FakeTelegram) -> None:
    with pytest.raises(Rejected):
        await sender_for(fake_telegram).send("42", [text("Chọn", [Button(" ", "x:1")])])
    with pytest.raises(Rejected):
        await sender_for(fake_telegram).send("web-user-1", [Text("không phải Telegram")])
