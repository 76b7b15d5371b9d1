"""Several chart pages in one reply go out together: one album on Telegram (sendMediaGroup, 2–10
photos each, caption on the first), one gallery on the web page, the pictures in order on Zalo
(which has no album). Nothing is lost, nothing reordered; kept replies carry the album."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image as Picture

from bot.app import BotApp
from bot.channels.media import MediaStore
from bot.channels.telegram import TelegramSender
from bot.channels.telegram_render import album_sizes
from bot.channels.zalo_bot_api import ZaloBotClient, ZaloBotSender
from bot.config import get_settings
from bot.core import reply_codec
from bot.core.replies import Album, Image, Text
from bot.messages import load_catalog
from bot.quiz.chart import split_pages
from tests.channels.conftest import TG_TOKEN, ZB_TOKEN, TelegramRig, ZaloBotRig, ZaloOaRig
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.zalo_bot_api import FakeZaloBot
from tests.helpers.chat import Chat
from tests.quiz.factories import make_target
from tests.quiz.helpers import register_staff


def _png(number: int) -> bytes:
    buffer = io.BytesIO()
    Picture.new("RGB", (4, 4), (number % 256, 0, 0)).save(buffer, format="PNG")
    return buffer.getvalue()


async def _ranking(app: BotApp, channel: str, user_id: str) -> int:
    """A province-wide target and a registered staff member; returns how many chart pages the
    whole ranking makes."""
    target_id = await make_target(
        app, code="KSC-2026", unit="XAPHUONG", sets=("ky-nang-so-co-ban",)
    )
    await register_staff(Chat(app, channel=channel, user_id=user_id), "X-HOAPHU")
    board = await app.services.quiz.progress.leaderboard(target_id)
    assert board is not None and len(board.rows) == 102  # the communes and wards
    pages, _ = split_pages(board.rows)
    assert len(pages) > 2
    return len(pages)


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(1, [1]), (2, [2]), (10, [10]), (11, [6, 5]), (20, [10, 10]), (23, [8, 8, 7])],
)
def test_albums_hold_two_to_ten_photos_and_never_one_alone(count: int, sizes: list[int]) -> None:
    assert album_sizes(count) == sizes


async def test_thidua_on_telegram_is_one_album_then_the_buttons(telegram_rig: TelegramRig) -> None:
    pages = await _ranking(telegram_rig.app, "telegram", "42")
    fake = telegram_rig.fake
    before = len(fake.messages)
    await telegram_rig.chat.say("/thidua")
    sent = [m for m in fake.messages[before:] if m["chat_id"] == 42]
    photos = [m for m in sent if m["method"] == "sendMediaGroup"]
    assert not [m for m in sent if m["method"] == "sendPhoto"]
    assert len(photos) == pages  # every page, none lost
    assert len({m["media_group_id"] for m in photos}) == 1  # one album
    assert [m["file_name"] for m in photos] == [f"xep-hang-{n}.png" for n in range(1, pages + 1)]
    assert f"{pages} trang" in photos[0]["caption"]
    assert all(m["caption"] is None for m in photos[1:])  # the caption goes on the first
    assert sent[-1]["method"] == "sendMessage" and sent[-1]["reply_markup"]  # buttons last
    assert sent.index(photos[-1]) < len(sent) - 1


async def test_a_long_album_goes_out_as_several_in_order(fake_telegram: FakeTelegram) -> None:
    from telegram import Bot

    sender = TelegramSender(Bot(TG_TOKEN, base_url=fake_telegram.base_url))
    images = tuple(Image(data=_png(n), file_name=f"trang-{n}.png") for n in range(1, 24))
    try:
        ids = await sender.send("77", [Text("Trước"), Album(images, "Cả bảng"), Text("Sau")])
    finally:
        await sender.close()
    sent = fake_telegram.sent_to(77)
    assert len(ids) == len(sent) == 25
    assert [m["method"] for m in (sent[0], sent[-1])] == ["sendMessage", "sendMessage"]
    photos = sent[1:-1]
    assert [m["file_name"] for m in photos] == [f"trang-{n}.png" for n in range(1, 24)]
    groups: dict[str, int] = {}
    for message in photos:
        groups[message["media_group_id"]] = groups.get(message["media_group_id"], 0) + 1
    assert list(groups.values()) == [8, 8, 7]
    assert [m["caption"] for m in photos].count("Cả bảng") == 1 and photos[0]["caption"]


@pytest.mark.parametrize(("count", "refusal"), [(1, "2-10"), (11, "too many messages")])
async def test_the_fake_refuses_albums_the_bot_api_refuses(
    fake_telegram: FakeTelegram, count: int, refusal: str
) -> None:
    media = [{"type": "photo", "media": f"attach://p{n}"} for n in range(count)]
    files = {f"p{n}": (f"p{n}.png", _png(n), "image/png") for n in range(count)}
    async with httpx.AsyncClient() as client:
        answer = await client.post(
            f"{fake_telegram.base_url}{TG_TOKEN}/sendMediaGroup",
            data={"chat_id": "5", "media": json.dumps(media)},
            files=files,
        )
    body: dict[str, Any] = answer.json()
    assert answer.status_code == 400 and not body["ok"] and refusal in body["description"]
    assert not fake_telegram.sent_to(5)


async def test_thidua_on_zalo_bot_sends_every_page_in_order(zalo_bot_rig: ZaloBotRig) -> None:
    pages = await _ranking(zalo_bot_rig.app, "zalo_bot", "z1")
    fake = zalo_bot_rig.fake
    before = len(fake.messages)
    await zalo_bot_rig.chat.say("/thidua")
    sent = fake.messages[before:]
    photos = [m for m in sent if m["method"] == "sendPhoto"]
    assert len(photos) == pages
    names = [m["photo"].rsplit("/", 1)[-1] for m in photos]
    assert len(set(names)) == pages
    assert f"{pages} trang" in photos[0]["caption"]
    assert sent[-1]["method"] == "sendMessage"


async def test_thidua_on_the_web_is_one_gallery(bot: BotApp) -> None:
    from bot.channels import web

    pages = await _ranking(bot, "test", "u1")
    turn = await Chat(bot, channel="test", user_id="u1").say("/thidua")
    [album] = [reply for reply in turn.replies if isinstance(reply, Album)]
    shown = web.render(album)
    assert len(shown.images) == pages and shown.image_url is None
    assert all(url.startswith("data:image/png;base64,") for url in shown.images)
    assert f"{pages} trang" in shown.text


def test_kept_replies_carry_the_album() -> None:
    album = Album(
        (Image(data=_png(1), file_name="a.png"), Image(url="https://x.vn/b.png", caption="b")),
        "Cả bảng",
    )
    replies = [Text("trước"), album]
    assert reply_codec.decode(reply_codec.encode(replies)) == replies
    too_big = Album((Image(data=b"x" * (reply_codec.KEPT_FILE_BYTES + 1)),))
    assert reply_codec.fits(album) and not reply_codec.fits(too_big)


async def test_zalo_without_a_public_address_says_once_that_the_pages_cannot_be_shown(
    fake_zalo_bot: FakeZaloBot, tmp_path: Path
) -> None:
    settings = get_settings(
        zalo_bot_token=ZB_TOKEN, zalo_bot_api_base_url=fake_zalo_bot.base_url, _env_file=None
    )
    sender = ZaloBotSender(ZaloBotClient.from_settings(settings), MediaStore(tmp_path, ""))
    pages = tuple(Image(data=_png(n), file_name=f"p{n}.png") for n in range(7))
    try:
        await sender.send("z5", [Album(pages, "Bảng xếp hạng: 7 trang"), Text("Xem theo nhóm")])
    finally:
        await sender.client.close()
    texts = [m["text"] for m in fake_zalo_bot.messages]
    unavailable = load_catalog()("channels.image_not_available")
    assert sum(unavailable in t for t in texts) == 1  # not once per page
    assert "Bảng xếp hạng: 7 trang" in texts[0] and "Xem theo nhóm" in texts[-1]


async def test_thidua_on_zalo_oa_uploads_every_page_in_order(zalo_oa_rig: ZaloOaRig) -> None:
    pages = await _ranking(zalo_oa_rig.app, "zalo_oa", "oa1")
    await zalo_oa_rig.chat.say("/thidua")
    elements = [
        element
        for message in zalo_oa_rig.chat.last_messages
        if (message.get("attachment") or {}).get("type") == "template"
        for element in message["attachment"]["payload"].get("elements", [])
    ]
    names = [zalo_oa_rig.fake.uploads[element["attachment_id"]] for element in elements]
    assert names == [f"xep-hang-{n}.png" for n in range(1, pages + 1)]
    assert any(f"{pages} trang" in m.get("text", "") for m in zalo_oa_rig.chat.last_messages)
