"""The Zalo Bot Platform channel: events from the webhook route or from `getUpdates` long polling
go through the engine; replies go out through `ZaloBotSender` as numbered text.

Webhook mode (ZALO_BOT_WEBHOOK_URL set): `setWebhook` with ZALO_BOT_WEBHOOK_SECRET; the route
checks `X-Bot-Api-Secret-Token` (wrong or missing → 403, nothing processed). Payloads are accepted
wrapped in `result` (one event or a list) or flat. There is no update id: an event is handled
once per event name + message id. A storage outage propagates (503) so the platform retries, and
so does a reply that could not be sent for a passing reason; a redelivery of a handled event
sends the replies kept with it again. Polling retries such an event before moving on.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request, Response

from bot.app import BotApp
from bot.channels.credentials import (
    REFUSED_STATUSES,
    CredentialsRefused,
    zalo_bot_token_malformed,
)
from bot.channels.delivery import send_paced
from bot.channels.media import MediaStore
from bot.channels.payload import mapping, plausible_ids, scalar
from bot.channels.zalo_bot_api import CHANNEL, ZaloBotClient, ZaloBotError, ZaloBotSender
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.notify import RetryLater
from bot.core.replies import Reply, Text

log = logging.getLogger(__name__)

DEFAULT_PATH = "/webhook/zalo-bot"
PROCESS_ATTEMPTS = 5  # polling: tries of an event whose handling or reply keeps failing
UNSUPPORTED = {"message.sticker.received", "message.unsupported.received"}


def events_of(payload: Any) -> list[dict[str, Any]]:
    """The events in a webhook body or getUpdates result: wrapped, listed or flat."""
    if isinstance(payload, dict) and "result" in payload and "event_name" not in payload:
        payload = payload["result"]
    if isinstance(payload, dict):
        return [payload] if "event_name" in payload else []
    if isinstance(payload, list):
        return [item for item in payload if isinstance(item, dict) and "event_name" in item]
    return []


def to_event(raw: dict[str, Any]) -> tuple[str, IncomingEvent | None, str]:
    """(chat id, event for the engine or None, catalog key of a short reply or "")."""
    name = scalar(raw.get("event_name"))
    message = mapping(raw.get("message"))
    chat = mapping(message.get("chat"))
    sender = mapping(message.get("from"))
    chat_id = scalar(chat.get("id"))
    user_id = scalar(sender.get("id")) or chat_id
    message_id = scalar(message.get("message_id"))
    if not plausible_ids(name, chat_id, user_id, message_id):
        return "", None, ""  # malformed: nobody to answer
    if not chat_id or not user_id or sender.get("is_bot"):
        return chat_id, None, ""
    text = scalar(message.get("text"))
    if (scalar(chat.get("chat_type")) or "PRIVATE").upper() != "PRIVATE":
        return chat_id, None, "channels.group_only" if text.startswith("/") else ""
    common: dict[str, Any] = {
        "chat_id": chat_id,
        "message_id": message_id,
        "dedup_key": f"zb:{name}:{message_id}" if message_id else "",
        "display_name": scalar(sender.get("display_name") or sender.get("name")),
    }
    if name == "message.text.received":
        return chat_id, IncomingEvent.from_text(CHANNEL, user_id, text, **common), ""
    if name == "message.image.received":
        url = scalar(message.get("photo_url") or message.get("photo") or message.get("url"))
        event = IncomingEvent(
            CHANNEL,
            user_id,
            kind=EventKind.ATTACHMENT,
            text=scalar(message.get("caption")),
            attachment=Attachment("photo", url),
            **common,
        )
        return chat_id, event, ""
    if name in UNSUPPORTED or name.startswith("message."):
        return chat_id, None, "channels.unsupported"
    return chat_id, None, ""


class ZaloBotChannel:
    """Zalo Bot Platform wired to the engine."""

    name = CHANNEL

    def __init__(self, app: BotApp, sender: ZaloBotSender, *, poll_timeout: int = 30) -> None:
        self.app = app
        self.sender = sender
        self.client = sender.client
        self._t = app.catalog
        self._poll_timeout = poll_timeout
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_app(cls, app: BotApp) -> ZaloBotChannel | None:
        """The channel if a Zalo bot token is configured, else None."""
        settings = app.settings
        if settings.zalo_bot_token is None:
            return None
        media = MediaStore.from_settings(settings)
        sender = ZaloBotSender(ZaloBotClient.from_settings(settings), media, catalog=app.catalog)
        return cls(app, sender)

    @property
    def webhook_mode(self) -> bool:
        """Whether events arrive by webhook (else by long polling)."""
        return bool(self.app.settings.zalo_bot_webhook_url)

    @property
    def webhook_path(self) -> str:
        """The path of our webhook route, from the public webhook URL."""
        return urlparse(self.app.settings.zalo_bot_webhook_url).path or DEFAULT_PATH

    async def process(self, raw: dict[str, Any]) -> None:
        """Handle one event and send the replies. Raises when storage is unreachable or a reply
        could not be sent for a passing reason (then a redelivery sends the kept replies)."""
        chat_id, event, notice = to_event(raw)
        if notice:
            await self.reply(chat_id, [Text(self._t(notice))])
        if event is None:
            return
        if event.kind is EventKind.TEXT or event.kind is EventKind.COMMAND:
            await self.sender.typing(chat_id)
        outgoing = await self.app.engine.handle(event)
        await self.reply(chat_id, outgoing.replies)

    async def reply(self, chat_id: str, replies: list[Reply]) -> None:
        """Answer in the chat at its pace; a passing failure raises so that the
        event is delivered again (and the kept replies sent); a refusal for good is logged."""
        await send_paced(
            self.sender, CHANNEL, chat_id, replies, limits=self.app.services.reminders.limits
        )

    async def start(self) -> None:
        """Set the webhook, or start long polling. A token refused for good raises
        `CredentialsRefused` (nothing is started); a network failure is logged and polling
        retries."""
        settings = self.app.settings
        if zalo_bot_token_malformed(settings):
            raise CredentialsRefused(CHANNEL, "channels.refused.zalo_bot_malformed")
        try:
            if self.webhook_mode:
                secret = settings.zalo_bot_webhook_secret
                await self.client.call(
                    "setWebhook",
                    {
                        "url": settings.zalo_bot_webhook_url,
                        "secret_token": secret.get_secret_value() if secret else "",
                    },
                )
                return
            await self.client.call("deleteWebhook")
        except ZaloBotError as error:
            if error.code in REFUSED_STATUSES:
                raise CredentialsRefused(CHANNEL, "channels.refused.zalo_bot_refused") from error
            log.error("Zalo Bot start-up failed (run `cdsbot doctor`): %s", error)
        if not self.webhook_mode:
            self._task = asyncio.create_task(self._poll(), name="zalo-bot-polling")

    async def stop(self) -> None:
        """Stop polling and close connections."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.client.close()

    async def _poll(self) -> None:
        while True:
            try:
                result = await self.client.call(
                    "getUpdates",
                    {"timeout": self._poll_timeout},
                    read_timeout=self._poll_timeout + 15,
                )
            except ZaloBotError as error:
                if error.code == 408:  # the long poll ended without events
                    continue
                log.warning("Zalo Bot polling failed, retrying: %s", error)
                await asyncio.sleep(30 if error.code in (401, 403, 404, 409) else 2)
                continue
            for raw in events_of(result):
                await self._process_until_done(raw)

    async def _process_until_done(self, raw: dict[str, Any]) -> None:
        delay, failures = 1.0, 0
        while True:
            try:
                await self.process(raw)
                return
            except INFRASTRUCTURE_ERRORS as error:
                log.error("storage unavailable, event kept for retry: %s", type(error).__name__)
            except Exception:
                failures += 1
                if failures >= PROCESS_ATTEMPTS:
                    log.exception("Zalo Bot event failed %d times; moving on", failures)
                    return
                log.warning("Zalo Bot event failed; retrying", exc_info=True)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)

    def router(self) -> APIRouter:
        """The webhook route."""
        router = APIRouter()
        secret = self.app.settings.zalo_bot_webhook_secret
        expected = secret.get_secret_value().encode() if secret else b""

        @router.post(self.webhook_path, include_in_schema=False)
        async def webhook(request: Request) -> Response:
            given = request.headers.get("X-Bot-Api-Secret-Token", "").encode()
            if not expected or not hmac.compare_digest(given, expected):
                return Response(status_code=403)
            try:
                payload = await request.json()
            except ValueError:
                return Response(status_code=400)
            try:
                for raw in events_of(payload):
                    await self.process(raw)
            except RetryLater:  # a reply did not go out: the platform redelivers, we resend it
                return Response(status_code=503)
            return Response(status_code=200)

        return router
