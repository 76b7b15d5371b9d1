"""The scheduler's jobs in the web server's lifespan, and the web-chat inbox for pushed messages."""

from __future__ import annotations

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


async def web_user_id(bot: BotApp) -> str:
    """The id of the only web-chat user."""
    async with bot.db.transaction() as session:
        return str(await session.scalar(select(User.external_id).where(User.channel == "web")))


async def _sent(channel: RecordingSender) -> bool:
    return bool(channel.sent)
