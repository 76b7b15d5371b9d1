"""The Zalo Official Account channel: a webhook route that checks `X-ZEvent-Signature`, stores the
event and answers at once (Zalo wants an answer within 2 s), then processes stored events in the
background; events left unprocessed by a crash are picked up by a periodic sweep.

Signature: hex sha256(app_id + raw body + timestamp + OA secret key), optionally prefixed "mac=";
a mismatch answers 401 and stores nothing. Every user event records the person's interaction, for
the consultation window the sender respects.

A stored event is marked finished only after its replies went out. The engine handles an event
once (`dedup_key = zo:<event key>`) and keeps its replies with the claim, so a stored event
processed again (after a crash, or a reply that failed for a passing reason) sends the kept
replies instead of running the handler twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from datetime import timedelta
from typing import Any

import httpx
from fastapi import APIRouter, Request, Response

from bot.app import BotApp
from bot.channels.zalo_oa_api import (
    CHANNEL,
    PAYLOAD_PREFIX,
    ZaloOaClient,
    ZaloOaSender,
)
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.notify import DeliveryError, RetryLater
from bot.core.replies import Reply, Text

log = logging.getLogger(__name__)


def signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The expected X-ZEvent-Signature of a webhook body."""
    digest = hashlib.sha256()
    digest.update(app_id.encode() + body + timestamp.encode() + secret_key.encode())
    return digest.hexdigest()


def event_key(payload: dict[str, Any]) -> str:
    """A stable id of an event: its message id, or who and when for follow events."""
    name = str(payload.get("event_name") or "")
    message = payload.get("message") or {}
    if message.get("msg_id"):
        return f"{name}:{message['msg_id']}"
    person = (payload.get("sender") or payload.get("follower") or {}).get("id", "")
    return f"{name}:{person}:{payload.get('timestamp', '')}"


def user_of(payload: dict[str, Any]) -> str:
    """The person an event is from."""
    return str((payload.get("follower") or payload.get("sender") or {}).get("id") or "")


def to_event(payload: dict[str, Any]) -> tuple[IncomingEvent | None, str]:
    """(event for the engine or None, catalog key of a short reply or "")."""
    name = str(payload.get("event_name") or "")
    user_id = user_of(payload)
    if not user_id or not name.startswith("user_send_"):
        return None, ""  # oa_send_* echoes, receipts, follow/unfollow and the rest
    message = payload.get("message") or {}
    common: dict[str, Any] = {
        "message_id": str(message.get("msg_id") or ""),
        "dedup_key": f"zo:{event_key(payload)}",
    }
    if name == "user_send_text":
        text = str(message.get("text") or "")
        if text.startswith(PAYLOAD_PREFIX) and len(text) > len(PAYLOAD_PREFIX):
            return IncomingEvent.from_action(
                CHANNEL, user_id, text[len(PAYLOAD_PREFIX) :], **common
            ), ""
        return IncomingEvent.from_text(CHANNEL, user_id, text, **common), ""
    if name in ("user_send_image", "user_send_file"):
        first = (message.get("attachments") or [{}])[0]
        data = first.get("payload") or {}
        kind = "photo" if name == "user_send_image" else "document"
        attachment = Attachment(
            kind,
            str(data.get("url") or ""),
            file_name=data.get("name"),
            size=int(data["size"]) if str(data.get("size", "")).isdigit() else None,
        )
        return IncomingEvent(
            CHANNEL,
            user_id,
            user_id,
            EventKind.ATTACHMENT,
            text=str(message.get("text") or ""),
            attachment=attachment,
            **common,
        ), ""
    return None, "channels.unsupported"  # stickers, GIFs, audio, video, locations, links, …


class ZaloOaChannel:
    """Zalo OA wired to the engine (webhook only: the OA API has no polling)."""

    name = CHANNEL
    webhook_mode = True

    def __init__(self, app: BotApp, sender: ZaloOaSender, *, sweep_seconds: float = 30.0) -> None:
        self.app = app
        self.sender = sender
        self._state = app.services.channels
        self._t = app.catalog
        self._sweep_seconds = sweep_seconds
        self._drain_lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._sweeper: asyncio.Task[None] | None = None

    @classmethod
    def from_app(cls, app: BotApp) -> ZaloOaChannel | None:
        """The channel if an OA app id and secret key are configured, else None."""
        settings = app.settings
        if not settings.zalo_oa_app_id or settings.zalo_oa_secret_key is None:
            return None
        client = ZaloOaClient(settings, app.services.channels, httpx.AsyncClient(timeout=10.0))
        sender = ZaloOaSender(
            client,
            app.services.channels,
            app.services.clock,
            text_limit=settings.zalo_oa_text_limit,
            window=timedelta(hours=settings.zalo_oa_window_hours),
            catalog=app.catalog,
        )
        return cls(app, sender)

    async def process(self, payload: dict[str, Any]) -> None:
        """Handle one stored event and send the replies. Raises when storage is unreachable or a
        reply could not be sent for a passing reason (the event is then tried again)."""
        name = str(payload.get("event_name") or "")
        user_id = user_of(payload)
        if name.startswith("user_send_") or name in ("follow", "unfollow"):
            # receipts (user_received_message, user_seen_message) are not interactions
            following = {"follow": True, "unfollow": False}.get(name)
            await self._state.touch_oa_contact(user_id, following=following)
        if name == "follow":
            await self.reply(user_id, [Text(self._t("channels.followed"))])
            return
        event, notice = to_event(payload)
        if notice:
            await self.reply(user_id, [Text(self._t(notice))])
        if event is None:
            return
        outgoing = await self.app.engine.handle(event)
        await self.reply(user_id, outgoing.replies)

    async def reply(self, user_id: str, replies: list[Reply]) -> None:
        """Answer the person. A passing failure (`RetryLater`) raises, so that the stored event is
        tried again; a refusal for good is logged (the event itself was handled)."""
        if not replies:
            return
        try:
            await self.sender.send(user_id, replies)
        except RetryLater:
            raise
        except DeliveryError as error:
            log.warning("Zalo OA reply not delivered: %s: %s", type(error).__name__, error)

    async def drain(self) -> int:
        """Process every stored event not processed yet; returns how many were processed."""
        done = 0
        async with self._drain_lock:
            for stored in await self._state.pending_events(channel=CHANNEL):
                try:
                    await self.process(stored.payload)
                except INFRASTRUCTURE_ERRORS:
                    log.error("storage unavailable; Zalo OA events wait for the next sweep")
                    return done
                except RetryLater as error:
                    log.warning("Zalo OA reply not delivered, event %s kept: %s", stored.id, error)
                    await self._state.finish_event(stored.id, error=type(error).__name__)
                    continue
                except Exception as error:  # a bug must not block the events behind it
                    log.exception("Zalo OA event %s failed", stored.event_key)
                    await self._state.finish_event(stored.id, error=type(error).__name__)
                    continue
                await self._state.finish_event(stored.id)
                done += 1
        return done

    def _drain_soon(self) -> None:
        task = asyncio.create_task(self._drain_quietly())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_quietly(self) -> None:
        try:
            await self.drain()
        except INFRASTRUCTURE_ERRORS:
            log.error("storage unavailable; Zalo OA events wait for the next sweep")

    async def _sweep(self) -> None:
        while True:
            await self._drain_quietly()
            try:
                await self._state.prune_events()
            except INFRASTRUCTURE_ERRORS:
                log.error("storage unavailable; old Zalo OA events pruned later")
            await asyncio.sleep(self._sweep_seconds)

    async def start(self) -> None:
        """Start the sweep that also picks up events left by a crash."""
        self._sweeper = asyncio.create_task(self._sweep(), name="zalo-oa-sweep")

    async def stop(self) -> None:
        """Stop background work and close connections."""
        for task in [self._sweeper, *self._tasks]:
            if task is not None:
                task.cancel()
        await asyncio.gather(
            *[t for t in [self._sweeper, *self._tasks] if t], return_exceptions=True
        )
        self._sweeper = None
        await self.sender.client.close()

    def router(self) -> APIRouter:
        """The webhook route."""
        router = APIRouter()
        settings = self.app.settings
        secret = (
            settings.zalo_oa_secret_key.get_secret_value() if (settings.zalo_oa_secret_key) else ""
        )

        @router.post(settings.zalo_oa_webhook_path, include_in_schema=False)
        async def webhook(request: Request) -> Response:
            body = await request.body()
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                return Response(status_code=400)
            given = request.headers.get("X-ZEvent-Signature", "").strip().removeprefix("mac=")
            expected = signature(
                settings.zalo_oa_app_id, body, str(payload.get("timestamp", "")), secret
            )
            if not secret or not hmac.compare_digest(given.lower().encode(), expected.encode()):
                return Response(status_code=401)
            stored = await self._state.keep_event(
                channel=CHANNEL, event_key=event_key(payload), payload=payload
            )
            if stored is not None:
                self._drain_soon()
            return Response(status_code=200)

        return router
