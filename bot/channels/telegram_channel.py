"""The Telegram channel at run time: updates from the webhook route or from long polling go through
the engine; replies go out through `TelegramSender`; on start the command menu is set.

Webhook mode (TELEGRAM_WEBHOOK_URL set): POST to that URL's path; the header
`X-Telegram-Bot-Api-Secret-Token` must equal TELEGRAM_WEBHOOK_SECRET or the answer is 403 and
nothing is processed. A storage outage propagates (the app answers 503) so Telegram redelivers,
and so does a reply that could not be sent (5xx): an update is handled once
(`dedup_key = tg:<update_id>`), and its redelivery sends the replies kept with it again.
Polling mode (no webhook URL): `getUpdates`, with the offset advanced only after an update has
been processed and answered, so a restart, an outage or a failed send loses nothing.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
from typing import Any
from urllib.parse import urlparse

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from telegram import BotCommand, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.app import BotApp
from bot.channels.credentials import CredentialsRefused, telegram_token_malformed
from bot.channels.delivery import send_paced
from bot.channels.payload import plausible_ids
from bot.channels.telegram import CHANNEL, TelegramSender, build_bot
from bot.channels.telegram_inbound import to_inbound
from bot.core.engine import INFRASTRUCTURE_ERRORS
from bot.core.notify import RetryLater
from bot.core.replies import Reply, Text, Toast
from bot.core.router import Need
from bot.messages import Catalog
from bot.observability import metrics

log = logging.getLogger(__name__)

PROCESS_ATTEMPTS = 5
"""Polling: how often an update whose processing or reply keeps failing (not storage: that is
waited out) is tried before the loop moves past it, so that one bad update cannot stop the bot."""
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
PUBLIC = (Need.ANYONE, Need.REGISTERED)  # commands of managers, the council, admins stay hidden
DEFAULT_PATH = "/webhook/telegram"


def toast_of(replies: list[Reply]) -> tuple[str, list[Reply]]:
    """The text of the replies' toasts (for answerCallbackQuery) and the other replies."""
    toasts = [reply.text for reply in replies if isinstance(reply, Toast)]
    return " ".join(toasts), [reply for reply in replies if not isinstance(reply, Toast)]


class TelegramChannel:
    """Telegram wired to the engine: one instance per process."""

    name = CHANNEL

    def __init__(self, app: BotApp, sender: TelegramSender, *, poll_timeout: int = 30) -> None:
        self.app = app
        self.sender = sender
        self.bot = sender.bot
        self._t: Catalog = app.catalog
        self._poll_timeout = poll_timeout
        self._task: asyncio.Task[None] | None = None

    @classmethod
    def from_app(cls, app: BotApp) -> TelegramChannel | None:
        """The channel if a bot token is configured, else None."""
        if app.settings.telegram_bot_token is None:
            return None
        refs = app.services.channels
        sender = TelegramSender(
            build_bot(app.settings), refs=refs, empty_text=app.catalog("channels.empty_text")
        )
        return cls(app, sender)

    @property
    def webhook_mode(self) -> bool:
        """Whether updates arrive by webhook (else by long polling)."""
        return bool(self.app.settings.telegram_webhook_url)

    @property
    def webhook_path(self) -> str:
        """The path of our webhook route, taken from the public webhook URL."""
        return urlparse(self.app.settings.telegram_webhook_url).path or DEFAULT_PATH

    # ----- processing --------------------------------------------------------------------------

    def _answers_in_webhook(self) -> bool:
        """Whether a one-message reply may be the webhook's answer (TELEGRAM_WEBHOOK_ANSWERS).

        Telegram sends such an answer when it reaches it, at a moment the bot never learns, so
        it cannot be placed in a pace shared by several processes (PostgreSQL): there, by default,
        replies go through the API in their slot. A button press is answered by a call anyway
        (answerCallbackQuery), so its reply is sent the usual way."""
        choice = self.app.settings.telegram_webhook_answers
        if choice != "auto":
            return choice == "on"
        return not self.app.services.reminders.limits.shared

    async def process(
        self, data: dict[str, Any], *, webhook_answer: bool = False
    ) -> dict[str, object] | None:
        """Handle one update (a JSON object) and send the replies. Raises when storage is
        unreachable or a reply could not be sent (then a redelivery sends the kept replies).

        With `webhook_answer` (the webhook route), the reply to a person's message that is one
        plain message is returned as the Bot API call to put in the webhook's answer instead of
        being sent: it goes out when the webhook is answered, so the turn's guarantee holds as it
        does for a sent reply — a process that dies before answering leaves the update to
        Telegram's redelivery, which gets the replies kept with the turn."""
        try:
            update = Update.de_json(data, self.bot)
            inbound = to_inbound(update)
        except Exception as error:  # noqa: BLE001 - PTB raises whatever a malformed update provokes
            log.warning("malformed Telegram update ignored (%s)", type(error).__name__)
            return None
        event = inbound.event
        if not isinstance(update.update_id, int) or (
            event is not None and not plausible_ids(event.user_id, event.chat_id, event.message_id)
        ):
            log.warning("malformed Telegram update ignored (ids)")
            return None
        unanswered = inbound.callback_query_id
        try:
            if inbound.chat_id is None:
                return None
            if inbound.notice_key:
                await self.reply(inbound.chat_id, [Text(self._t(inbound.notice_key))])
            if inbound.event is None:
                return None
            outgoing = await self.app.engine.handle(inbound.event)
            replies = outgoing.replies
            if webhook_answer and not unanswered and self._answers_in_webhook():
                answer = self.sender.webhook_answer(str(inbound.chat_id), replies)
                if answer is not None:
                    # The chat's pace is kept: the outbox's next push waits its interval.
                    async with self.app.services.reminders.limits.slot(
                        CHANNEL, str(inbound.chat_id)
                    ):
                        return answer
            if unanswered:
                # A note on the press itself (a double tap) is the button's pop-up, not a message.
                toast, replies = toast_of(replies)
                await self._answer_callback(unanswered, toast)
                unanswered = ""
            await self.reply(
                inbound.chat_id, replies, pressed_message_id=inbound.pressed_message_id or None
            )
        finally:
            if unanswered:  # nothing to say, or the engine failed: still stop the spinner
                await self._answer_callback(unanswered, "")
        return None

    async def _answer_callback(self, query_id: str, toast: str) -> None:
        """Stop the button's spinner, with the toast's text as a pop-up when there is one."""
        try:
            await self.bot.answer_callback_query(query_id, text=toast[:200] or None)
        except TelegramError as error:
            if isinstance(error, RetryAfter):
                metrics.count_rate_limited(CHANNEL, "callback")
            log.info("callback query not answered: %s", error)

    async def reply(
        self, chat_id: int, replies: list[Reply], *, pressed_message_id: str | None = None
    ) -> None:
        """Answer in the chat at its pace; waits out a short 429, logs what was not delivered."""
        await send_paced(
            self.sender,
            CHANNEL,
            str(chat_id),
            replies,
            limits=self.app.services.reminders.limits,
            pressed_message_id=pressed_message_id,
        )

    # ----- start and stop ----------------------------------------------------------------------

    def bot_commands(self) -> list[BotCommand]:
        """The command menu: the router's commands that have a description in the catalog."""
        commands = []
        for name, route in self.app.engine.router.commands.items():
            key = f"channels.commands.{name}"
            if route.need in PUBLIC and self._t.has(key):
                commands.append(BotCommand(name, self._t(key)))
        if "huy" not in self.app.engine.router.commands:  # the engine's own /huy
            commands.append(BotCommand("huy", self._t("channels.commands.huy")))
        return commands[:100]

    async def start(self) -> None:
        """Set the command menu, then the webhook or the polling loop. A token refused for good
        raises `CredentialsRefused` (nothing is started); a network failure is logged and the
        polling loop retries."""
        settings = self.app.settings
        if telegram_token_malformed(settings):
            raise CredentialsRefused(CHANNEL, "channels.refused.telegram_malformed")
        try:
            await self.bot.set_my_commands(self.bot_commands())
            if self.webhook_mode:
                secret = settings.telegram_webhook_secret
                await self.bot.set_webhook(
                    settings.telegram_webhook_url,
                    allowed_updates=ALLOWED_UPDATES,
                    secret_token=secret.get_secret_value() if secret else None,
                )
        except InvalidToken as error:  # PTB's name for a 401 or 404 answer
            raise CredentialsRefused(CHANNEL, "channels.refused.telegram_refused") from error
        except TelegramError as error:
            log.error("Telegram start-up failed (run `cdsbot doctor`): %s", error)
        if not self.webhook_mode:
            self._task = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop(self) -> None:
        """Stop polling and close connections."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        await self.sender.close()

    async def _poll(self) -> None:
        await self._call_until_done(lambda: self.bot.delete_webhook())
        offset: int | None = None
        while True:
            try:
                updates = await self.bot.get_updates(
                    offset=offset, timeout=self._poll_timeout, allowed_updates=ALLOWED_UPDATES
                )
            except (Conflict, InvalidToken) as error:
                log.error("Telegram polling refused (run `cdsbot doctor`): %s", error)
                await asyncio.sleep(30)
                continue
            except NetworkError as error:
                log.warning("Telegram polling failed, retrying: %s", error)
                await asyncio.sleep(2)
                continue
            for update in updates:
                await self._process_until_done(update.to_dict())
                offset = update.update_id + 1

    async def _process_until_done(self, data: dict[str, Any]) -> None:
        delay, failures = 1.0, 0
        while True:
            try:
                await self.process(data)
                return
            except INFRASTRUCTURE_ERRORS as error:
                log.error("storage unavailable, update kept for retry: %s", type(error).__name__)
            except Exception:
                failures += 1
                if failures >= PROCESS_ATTEMPTS:
                    log.exception(
                        "Telegram update %s failed %d times; moving on",
                        data.get("update_id"),
                        failures,
                    )
                    return
                log.warning(
                    "Telegram update %s failed; retrying", data.get("update_id"), exc_info=True
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 60.0)

    async def _call_until_done(self, call: Any) -> None:
        delay = 1.0
        while True:
            try:
                await call()
                return
            except TelegramError as error:
                log.warning("Telegram call failed, retrying: %s", error)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 60.0)

    # ----- webhook -----------------------------------------------------------------------------

    def router(self) -> APIRouter:
        """The webhook route (webhook mode only)."""
        router = APIRouter()
        secret = self.app.settings.telegram_webhook_secret
        expected = secret.get_secret_value().encode() if secret else b""

        @router.post(self.webhook_path, include_in_schema=False)
        async def webhook(request: Request) -> Response:
            given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "").encode()
            if not expected or not hmac.compare_digest(given, expected):
                return Response(status_code=403)
            try:
                data = await request.json()
            except ValueError:
                return Response(status_code=400)
            if not isinstance(data, dict):
                return Response(status_code=400)
            try:
                answer = await self.process(data, webhook_answer=True)
            except RetryLater:  # the reply did not go out: Telegram redelivers, we resend it
                return Response(status_code=503)
            if answer is not None:
                return JSONResponse(answer)
            return Response(status_code=200)

        return router
