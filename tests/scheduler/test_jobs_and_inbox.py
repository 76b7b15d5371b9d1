"""The scheduler's jobs in the web server's lifespan, and the web-chat inbox for pushed messages."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.replies import Button, Notice, Text, text
from bot.server import create_app
from bot.storage.models import User
from tests.scheduler.helpers import RecordingSender, local, outbox, person, wait_until


async def test_lifespan_runs_the_sweep_and_the_sender(bot: BotApp, clock: FrozenClock) -> None:
    await person(bot, "10")
    channel = RecordingSender()
    bot.notifier.register("telegram", channel)  # as a running Telegram channel would
    app = create_app(bot.settings, bot=bot, run_jobs=True)
    async with app.router.lifespan_context(app):
        await bot.deliver_notices([Notice("telegram", "10", (Text("Đề cử đã được duyệt."),))])
        await wait_until(lambda: _sent(channel), 10, "the notice to be sent")
    assert channel.texts("10") == ["Đề cử đã được duyệt."]
    [row] = await outbox(bot)
    assert row.status == "sent"


async def test_web_users_fetch_pushed_messages_once_and_not_at_night(
    bot: BotApp, clock: FrozenClock
) -> None:
    app = create_app(bot.settings, bot=bot)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        token = (await client.post("/api/chat/sessions")).json()["session"]
        auth = {"Authorization": f"Bearer {token}"}
        await client.post("/api/chat/messages", json={"text": "/start"}, headers=auth)
        web_user = await web_user_id(bot)
        await bot.deliver_notices(
            [
                Notice(
                    "web",
                    web_user,
                    (
                        text(
                            "Đề cử DC-2026-0042 đã được duyệt.",
                            [Button("Xem đề cử", "cmd:decucuatoi")],
                        ),
                    ),
                )
            ]
        )
        first = (await client.get("/api/chat/messages", headers=auth)).json()["replies"]
        assert first == [
            {
                "text": "Đề cử DC-2026-0042 đã được duyệt.",
                "image_url": None,
                "images": [],
                "document": None,
                "buttons": [[{"label": "Xem đề cử", "action": "cmd:decucuatoi"}]],
            }
        ]
        assert (await client.get("/api/chat/messages", headers=auth)).json()["replies"] == []

        clock.set(local("01/06/2026 22:00"))
        await bot.deliver_notices([Notice("web", web_user, (Text("Tin buổi tối"),))])
        assert (await client.get("/api/chat/messages", headers=auth)).json()["replies"] == []
        clock.set(local("02/06/2026 07:00"))
        [late] = (await client.get("/api/chat/messages", headers=auth)).json()["replies"]
        assert late["text"] == "Tin buổi tối"
        assert (await client.get("/api/chat/messages")).status_code == 401


async def test_a_pushed_message_is_handed_out_until_the_page_confirms_it(
    bot: BotApp, clock: FrozenClock
) -> None:
    """A page reloaded (or closed) while a poll's answer was on its way never showed what it
    was handed: the message stays waiting until a later poll names it in `seen`. Only the
    messages named are confirmed: not one queued after the page's last poll, nor another
    person's."""
    app = create_app(bot.settings, bot=bot)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:

        async def poll(token: str, seen: list[int] | None = None) -> dict[str, Any]:
            params = {"seen": ",".join(map(str, seen or []))}
            answer = await client.get("/api/chat/messages", params=params, headers=_bearer(token))
            assert answer.status_code == 200, answer.text
            return answer.json()

        tokens = []
        for _ in range(2):
            token = (await client.post("/api/chat/sessions")).json()["session"]
            await client.post("/api/chat/messages", json={"text": "/start"}, headers=_bearer(token))
            tokens.append(token)
        lan, other = await web_user_ids(bot)
        await bot.deliver_notices(
            [
                Notice("web", lan, (Text("Đề cử đã được duyệt."),)),
                Notice("web", other, (Text("Tin của người khác"),)),
            ]
        )
        first = await poll(tokens[0])
        assert [r["text"] for r in first["replies"]] == ["Đề cử đã được duyệt."]
        assert await poll(tokens[0]) == first  # the page was reloaded before it showed it
        theirs = (await poll(tokens[1]))["message_ids"]
        assert (await poll(tokens[1], first["message_ids"]))["message_ids"] == theirs

        await bot.deliver_notices([Notice("web", lan, (Text("Nhắc hạn mới"),))])
        later = await poll(tokens[0], first["message_ids"])
        assert [r["text"] for r in later["replies"]] == ["Nhắc hạn mới"]
        assert await poll(tokens[0], later["message_ids"]) == {"replies": [], "message_ids": []}
        assert (await poll(tokens[0]))["replies"] == []
    statuses = sorted((row.chat_id, row.status) for row in await outbox(bot))
    assert statuses == sorted([(lan, "sent"), (lan, "sent"), (other, "pending")])


async def test_a_malformed_seen_list_is_refused_politely(bot: BotApp) -> None:
    app = create_app(bot.settings, bot=bot)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://test"
    ) as client:
        token = (await client.post("/api/chat/sessions")).json()["session"]
        await client.post("/api/chat/messages", json={"text": "/start"}, headers=_bearer(token))
        for seen in ("1,,2", "abc", "1;2", ",".join(["7"] * 201)):
            answer = await client.get(
                "/api/chat/messages", params={"seen": seen}, headers=_bearer(token)
            )
            assert answer.status_code == 422, seen
            assert "mã tin" in answer.json()["detail"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def web_user_ids(bot: BotApp) -> list[str]:
    """The ids of the web-chat users, oldest first."""
    async with bot.db.transaction() as session:
        rows = await session.scalars(
            select(User.external_id).where(User.channel == "web").order_by(User.id)
        )
        return [str(external_id) for external_id in rows]


async def web_user_id(bot: BotApp) -> str:
    """The id of the only web-chat user."""
    async with bot.db.transaction() as session:
        return str(await session.scalar(select(User.external_id).where(User.channel == "web")))


async def _sent(channel: RecordingSender) -> bool:
    return bool(channel.sent)
