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
import re
import time
from datetime import timedelta
from itertools import islice
from typing import Any

import httpx
from fastapi import APIRouter, Request, Response

from bot.app import BotApp
from bot.channels.delivery import send_paced
from bot.channels.payload import count, first_mapping, mapping, plausible_ids, scalar
from bot.channels.tls import shared_context
from bot.channels.zalo_oa_api import (
    CHANNEL,
    PAYLOAD_PREFIX,
    ZaloOaClient,
    ZaloOaSender,
)
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.notify import RetryLater
from bot.core.replies import Reply, Text

log = logging.getLogger(__name__)


def signature(app_id: str, body: bytes, timestamp: str, secret_key: str) -> str:
    """The expected X-ZEvent-Signature of a webhook body."""
    digest = hashlib.sha256()
    digest.update(app_id.encode() + body + timestamp.encode() + secret_key.encode())
    return digest.hexdigest()


_TIMESTAMP = re.compile(rb'"timestamp"\s*:\s*"?(\d{1,20})"?')
MAX_TIMESTAMP_CANDIDATES = 4


def signed_timestamp(body: bytes, given: str, app_id: str, secret_key: str) -> str | None:
    """The body's `timestamp` under which `given` is the body's valid signature, or None. The
    signature covers the timestamp, which is inside the body: it is read from the raw bytes (a
    few candidates, no JSON parse), so an unsigned body costs one regex search and no parse."""
    if not secret_key or not given:
        return None
    wanted = given.lower().encode()
    for match in islice(_TIMESTAMP.finditer(body), MAX_TIMESTAMP_CANDIDATES):
        timestamp = match.group(1).decode()
        if hmac.compare_digest(wanted, signature(app_id, body, timestamp, secret_key).encode()):
            return timestamp
    return None


def fresh(timestamp: str, max_age_seconds: float, now: float | None = None) -> bool:
    """Whether a signed event time (milliseconds since the epoch) is within `max_age_seconds` of
    now, either way: an old event replayed, or one from a wrong clock, is refused."""
    moment = int(timestamp) / 1000
    return abs((time.time() if now is None else now) - moment) <= max_age_seconds


def event_key(payload: dict[str, Any]) -> str:
    """A stable id of an event: its message id, or who and when for follow events (ids that
    could not be genuine are left out: such an event is ignored when processed)."""
    name = _id(payload.get("event_name"))
    message_id = _id(mapping(payload.get("message")).get("msg_id"))
    if message_id:
        return f"{name}:{message_id}"
    return f"{name}:{user_of(payload)}:{_id(payload.get('timestamp'))}"


def user_of(payload: dict[str, Any]) -> str:
    """The person an event is from ("" when none, or not a plausible id)."""
    return _id(mapping(payload.get("follower") or payload.get("sender")).get("id"))


def _id(value: Any) -> str:
    text = scalar(value)
    return text if plausible_ids(text) else ""


def to_event(payload: dict[str, Any]) -> tuple[IncomingEvent | None, str]:
    """(event for the engine or None, catalog key of a short reply or "")."""
    name = _id(payload.get("event_name"))
    user_id = user_of(payload)
    if not user_id or not name.startswith("user_send_"):
        return None, ""  # oa_send_* echoes, receipts, follow/unfollow and the rest
    message = mapping(payload.get("message"))
    common: dict[str, Any] = {
        "message_id": _id(message.get("msg_id")),
        "dedup_key": f"zo:{event_key(payload)}",
    }
    if name == "user_send_text":
        text = scalar(message.get("text"))
        if text.startswith(PAYLOAD_PREFIX) and len(text) > len(PAYLOAD_PREFIX):
            return IncomingEvent.from_action(
                CHANNEL, user_id, text[len(PAYLOAD_PREFIX) :], **common
            ), ""
        return IncomingEvent.from_text(CHANNEL, user_id, text, **common), ""
    if name in ("user_send_image", "user_send_file"):
        data = mapping(first_mapping(message.get("attachments")).get("payload"))
        kind = "photo" if name == "user_send_image" else "document"
        attachment = Attachment(
            kind,
            scalar(data.get("url")),
            file_name=scalar(data.get("name")) or None,
            size=count(data.get("size")),
        )
        return IncomingEvent(
            CHANNEL,
            user_id,
            user_id,
            EventKind.ATTACHMENT,
            text=scalar(message.get("text")),
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
        client = ZaloOaClient(
            settings,
            app.services.channels,
            httpx.AsyncClient(timeout=10.0, verify=shared_context()),
        )
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
        name = _id(payload.get("event_name"))
        user_id = user_of(payload)
        if not user_id:
            return  # nobody to answer (a malformed event)
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
        """Answer the person at their chat's pace; a passing failure raises so that the stored
        event is tried again; a refusal for good is logged.
        They answer what the person just wrote, so they are inside the consultation window."""
        await send_paced(
            self.sender,
            CHANNEL,
            user_id,
            replies,
            limits=self.app.services.reminders.limits,
            answering=True,
        )

    async def drain(self) -> int:
        """Process every stored event not processed yet; returns how many were processed."""
        done = 0
        async with self._drain_lock:
            for stored in await self._state.pending_events(channel=CHANNEL):
                try:
                    await self.process(stored.payload)
                except INFRASTRUCTURE_ERRORS:  # logged once per outage by the database
                    log.debug("storage unavailable; Zalo OA events wait for the next sweep")
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
        except INFRASTRUCTURE_ERRORS:  # logged once per outage by the database
            log.debug("storage unavailable; Zalo OA events wait for the next sweep")

    async def _sweep(self) -> None:
        while True:
            await self._drain_quietly()
            try:
                await self._state.prune_events()
            except INFRASTRUCTURE_ERRORS:  # logged once per outage by the database
                log.debug("storage unavailable; old Zalo OA events pruned later")
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
            body = await request.body()  # size and nesting already bounded (bot.guard)
            given = request.headers.get("X-ZEvent-Signature", "").strip().removeprefix("mac=")
            timestamp = signed_timestamp(body, given, settings.zalo_oa_app_id, secret)
            if timestamp is None:
                return Response(status_code=401)  # unsigned or forged: nothing parsed or kept
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if not isinstance(payload, dict) or str(payload.get("timestamp")) != timestamp:
                return Response(status_code=400)
            if not fresh(timestamp, settings.zalo_oa_event_max_age_seconds):
                log.warning("Zalo OA event refused: timestamp outside the accepted window")
                return Response(status_code=403)
            stored = await self._state.keep_event(
                channel=CHANNEL, event_key=event_key(payload), payload=payload
            )
            if stored is not None:
                self._drain_soon()
            return Response(status_code=200)

        return router
