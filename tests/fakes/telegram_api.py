"""A fake Telegram Bot API over real HTTP on loopback, faithful to the documented shapes.

It answers `/bot<token>/<method>` with `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": ..., "description": ...}` and validates what the real API validates:
text 1–4096 and captions ≤ 1024 UTF-16 units after HTML parsing, Telegram's HTML subset,
`callback_data` 1–64 bytes, command names `^[a-z0-9_]{1,32}$` with 1–256-character
descriptions (≤ 100 commands), webhook secret tokens, known callback query ids, messages to edit.

Options: per-chat (1/s) and overall (30/s) rate limits answering 429 with
`parameters.retry_after`; chats that blocked the bot (403); random 502s (probability and seed).

In-process use (tests)::

    with FakeTelegram(token="1:abc").running() as fake:
        bot = Bot("1:abc", base_url=fake.base_url)   # fake.base_url ends with "/bot"
        update = fake.user_says(42, "/start")        # queued for getUpdates
        status = await fake.post_webhook(update)    # or pushed to the webhook set with setWebhook
        fake.messages                                # every accepted sendMessage/… call

Separate process (e.g. a crash test)::

    python -m tests.fakes.telegram_api --port 8081 --token 1:abc --rate-limits --blocked 7
    GET  /_test/messages    every accepted outgoing message, in order
    GET  /_test/calls       every call with its HTTP status
    POST /_test/updates     body: an Update object, queued for getUpdates
    POST /_test/config      body: {"rate_limits": true, "blocked_chats": [7], "failure_rate": 0.1,
                                   "seed": 1}
    POST /_test/reset       forget messages, calls and updates
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import random
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.requests import ClientDisconnect

from tests.fakes.serve import ServedFake
from tests.fakes.telegram_html import HtmlError, parse_html, utf16_len

COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "caption_entities",
    "link_preview_options",
    "reply_parameters",
}
SENDING = {"sendMessage", "sendPhoto", "sendDocument", "editMessageText"}
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "upload_document",
    "record_voice",
    "upload_voice",
    "record_video",
    "upload_video",
    "choose_sticker",
    "find_location",
}
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"RIFF")


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


def bad(description: str) -> ApiError:
    """A 400 with the API's "Bad Request: …" wording."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class FakeTelegramConfig:
    """What the fake enforces beyond validation."""

    rate_limits: bool = False
    per_chat_per_second: int = 1
    overall_per_second: int = 30
    blocked_chats: set[int] = field(default_factory=set)
    failure_rate: float = 0.0
    seed: int | None = None
    require_https_webhook: bool = False


class FakeTelegram(ServedFake):
    """The fake Bot API's state and behaviour; thread-safe (tests read it from another thread)."""

    def __init__(
        self,
        token: str = "123456:TEST-token",
        *,
        bot_id: int = 123456,
        username: str = "cds_fake_bot",
        config: FakeTelegramConfig | None = None,
    ) -> None:
        self.token = token
        self.bot_user = {
            "id": bot_id,
            "is_bot": True,
            "first_name": "Trợ lý CĐS",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.config = config or FakeTelegramConfig()
        self._lock = threading.RLock()
        # update and callback query ids only grow, across resets, as on the real platform
        self._update_ids = itertools.count(10_000)
        self._query_ids = itertools.count(900_000)
        self._random = random.Random(self.config.seed)
        self.reset()
        self.app = self._build_app()

    # ----- state -------------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything received and queued (the configuration stays)."""
        with self._lock:
            self.messages: list[dict[str, Any]] = []
            self.calls: list[dict[str, Any]] = []
            self.callback_answers: list[dict[str, Any]] = []
            self.commands: dict[str, list[dict[str, str]]] = {}
            self.webhook: dict[str, Any] = {}
            self._chats: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
            self._message_ids: dict[int, Iterator[int]] = defaultdict(lambda: itertools.count(1))
            self._updates: list[dict[str, Any]] = []
            self._open_queries: set[str] = set()
            self._sent_per_chat: dict[int, deque[float]] = defaultdict(deque)
            self._sent_overall: deque[float] = deque()
            self._update_waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def configure(self, **changes: Any) -> None:
        """Change options at run time (rate_limits, blocked_chats, failure_rate, seed, …)."""
        with self._lock:
            for name, value in changes.items():
                if name == "blocked_chats":
                    value = {int(chat) for chat in value}
                setattr(self.config, name, value)
            if "seed" in changes:
                self._random = random.Random(self.config.seed)

    def sent_to(self, chat_id: int) -> list[dict[str, Any]]:
        """Accepted messages for one chat, in order."""
        with self._lock:
            return [m for m in self.messages if m["chat_id"] == chat_id]

    def texts(self, chat_id: int) -> list[str]:
        """The current text (or caption) of every message the bot sent to a chat."""
        with self._lock:
            return [
                m.get("text") or m.get("caption", "")
                for m in self._chats[chat_id].values()
                if m["from"]["is_bot"]
            ]

    def chat_messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The chat as it looks now (edits applied), user and bot messages in order."""
        with self._lock:
            return [dict(m) for m in self._chats[chat_id].values()]

    # ----- updates from "users" ----------------------------------------------------------------

    def user_says(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        first_name: str = "Lan",
    ) -> dict[str, Any]:
        """A user's text message as an Update (queued for getUpdates)."""
        message = self._user_message(chat_id, user_id, chat_type, first_name, text=text)
        entities = (
            [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split(" ", 1)[0])}]
            if text.startswith("/")
            else []
        )
        if entities:
            message["entities"] = entities
        return self.queue({"message": message})

    def user_sends(
        self,
        chat_id: int,
        kind: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        caption: str = "",
        edited: bool = False,
    ) -> dict[str, Any]:
        """A non-text message (photo, document, sticker, voice) or an edit, as an Update."""
        payloads: dict[str, dict[str, Any]] = {
            "photo": {
                "photo": [
                    {
                        "file_id": "AgACph1",
                        "file_unique_id": "ph1",
                        "width": 90,
                        "height": 90,
                        "file_size": 1200,
                    },
                    {
                        "file_id": "AgACph2",
                        "file_unique_id": "ph2",
                        "width": 800,
                        "height": 800,
                        "file_size": 64000,
                    },
                ]
            },
            "document": {
                "document": {
                    "file_id": "BQACdoc1",
                    "file_unique_id": "doc1",
                    "file_name": "bao-cao.pdf",
                    "mime_type": "application/pdf",
                    "file_size": 2048,
                }
            },
            "sticker": {
                "sticker": {
                    "file_id": "CAACst1",
                    "file_unique_id": "st1",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                }
            },
            "voice": {"voice": {"file_id": "AwACvo1", "file_unique_id": "vo1", "duration": 3}},
            "text": {"text": caption or "sửa lại"},
        }
        body = dict(payloads[kind])
        if caption and kind != "text":
            body["caption"] = caption
        message = self._user_message(chat_id, user_id, chat_type, "Lan", **body)
        if edited:
            message["edit_date"] = message["date"] + 5
        return self.queue({"edited_message" if edited else "message": message})

    def user_presses(
        self, chat_id: int, message_id: int, data: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """A press on an inline button of a bot message, as a callback_query Update."""
        with self._lock:
            message = self._chats[chat_id].get(message_id)
            if message is None:
                raise KeyError(f"no message {message_id} in chat {chat_id}")
            query_id = str(next(self._query_ids))
            self._open_queries.add(query_id)
        user = self._user(user_id or chat_id, "Lan")
        return self.queue(
            {
                "callback_query": {
                    "id": query_id,
                    "from": user,
                    "message": message,
                    "chat_instance": f"ci{chat_id}",
                    "data": data,
                }
            }
        )

    def press_button(
        self, chat_id: int, label: str, *, user_id: int | None = None
    ) -> dict[str, Any]:
        """Press the button labelled `label` (substring) on the latest bot message that has it."""
        with self._lock:
            for message in reversed(list(self._chats[chat_id].values())):
                for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                    for button in row:
                        if label in button["text"]:
                            return self.user_presses(
                                chat_id,
                                message["message_id"],
                                button["callback_data"],
                                user_id=user_id,
                            )
        raise KeyError(f"no button {label!r} in chat {chat_id}")

    def queue(self, update: dict[str, Any]) -> dict[str, Any]:
        """Give an update its update_id and queue it for getUpdates."""
        with self._lock:
            update = {"update_id": next(self._update_ids), **update}
            self._updates.append(update)
            waiters, self._update_waiters = self._update_waiters, []
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)
        return update

    async def post_webhook(
        self,
        update: dict[str, Any],
        *,
        secret: str | None = None,
        use_configured_secret: bool = True,
    ) -> int:
        """Deliver an update to the webhook as Telegram does; returns the HTTP status."""
        with self._lock:
            url = self.webhook.get("url")
            configured = self.webhook.get("secret_token")
            if url is None:
                raise RuntimeError("no webhook set")
            self._updates = [u for u in self._updates if u["update_id"] != update["update_id"]]
        headers = {"Content-Type": "application/json"}
        token = secret if secret is not None else (configured if use_configured_secret else None)
        if token:
            headers["X-Telegram-Bot-Api-Secret-Token"] = token
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(url, content=json.dumps(update), headers=headers)
        with self._lock:
            if response.status_code >= 300:
                self.webhook["last_error_date"] = int(time.time())
                self.webhook["last_error_message"] = (
                    f"Wrong response from the webhook: {response.status_code}"
                )
        return response.status_code

    def _user(self, user_id: int, first_name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "vi"}

    def _user_message(
        self, chat_id: int, user_id: int | None, chat_type: str, first_name: str, **content: Any
    ) -> dict[str, Any]:
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = "Nhóm chuyển đổi số"
        with self._lock:
            message = {
                "message_id": next(self._message_ids[chat_id]),
                "from": self._user(user_id or chat_id, first_name),
                "chat": chat,
                "date": int(time.time()),
                **content,
            }
            self._chats[chat_id][message["message_id"]] = message
        return message

    # ----- the API -----------------------------------------------------------------------------

    async def call(self, token: str, method: str, params: dict[str, Any]) -> Any:
        """Run one API method; raises ApiError like the real API would answer."""
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ApiError(404, "Not Found")
        with self._lock:
            if self.config.failure_rate and self._random.random() < self.config.failure_rate:
                raise ApiError(502, "Bad Gateway")
        if method == "getUpdates":
            return await self._m_getUpdates(params)
        with self._lock:
            return handler(params)

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        text = _message_text(params, "text", 4096, "message is too long", required=True)
        markup = _markup(params)
        self._deliverable(chat_id)
        return self._record("sendMessage", chat_id, {"text": text[0], **text[1]}, params, markup)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "photo")

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "document")

    def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = _chat_id(params)
        value = params.get(kind)
        if value is None or value == "":
            raise bad(f"there is no {kind} in the request")
        if isinstance(value, UploadedFile):
            if not value.data:
                raise bad("file must be non-empty")
            if kind == "photo" and not value.data.startswith(IMAGE_MAGIC):
                raise bad("IMAGE_PROCESS_FAILED")
            size, name = len(value.data), value.filename
        else:
            size, name = None, str(value)
        caption = _message_text(
            params, "caption", 1024, "message caption is too long", required=False
        )
        markup = _markup(params)
        self._deliverable(chat_id)
        content: dict[str, Any]
        if kind == "photo":
            content = {
                "photo": [
                    {
                        "file_id": f"AgAC{len(self.messages)}",
                        "file_unique_id": f"p{len(self.messages)}",
                        "width": 640,
                        "height": 480,
                        "file_size": size or 0,
                    }
                ]
            }
        else:
            content = {
                "document": {
                    "file_id": f"BQAC{len(self.messages)}",
                    "file_unique_id": f"d{len(self.messages)}",
                    "file_name": name,
                    "file_size": size or 0,
                }
            }
        if caption[0]:
            content.update(
                {"caption": caption[0], **{f"caption_{k}": v for k, v in caption[1].items()}}
            )
        recorded = self._record(f"send{kind.title()}", chat_id, content, params, markup)
        self.messages[-1].update({"file_name": name, "file_size": size})
        return recorded

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = _chat_id(params)
        message_id = _int(params.get("message_id"), "message identifier is not specified")
        text, extra = _message_text(params, "text", 4096, "MESSAGE_TOO_LONG", required=True)
        markup = _markup(params)
        message = self._chats[chat_id].get(message_id)
        if message is None:
            raise bad("message to edit not found")
        if not message["from"]["is_bot"] or "text" not in message:
            raise bad("message can't be edited")
        if message["text"] == text and message.get("reply_markup") == markup:
            raise bad(
                "message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        self._deliverable(chat_id)
        message.update({"text": text, "edit_date": int(time.time()), **extra})
        message.pop("reply_markup", None)
        if markup:
            message["reply_markup"] = markup
        self.messages.append(
            {
                "method": "editMessageText",
                "chat_id": chat_id,
                "message_id": message_id,
                "text": text,
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "at": time.time(),
            }
        )
        return message

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad("query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text") or "")) > 200:
            raise bad("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self.callback_answers.append(dict(params))
        return True

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat_id = _chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad("wrong parameter action in request")
        self._deliverable(chat_id)
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands specified")
        for command in commands:
            if not COMMAND_NAME.match(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad(
                    "command description is empty"
                    if not command.get("description")
                    else "BOT_COMMAND_DESCRIPTION_INVALID"
                )
        self.commands[self._commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(self._commands_key(params), [])

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    @staticmethod
    def _commands_key(params: dict[str, Any]) -> str:
        scope = params.get("scope") or {"type": "default"}
        return f"{scope.get('type')}:{params.get('language_code') or ''}"

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url") or "")
        if url == "":
            self.webhook = {}
            return True
        if self.config.require_https_webhook and not url.startswith("https://"):
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        if not url.startswith(("http://", "https://")):
            raise bad("bad webhook: Failed to resolve host: Name or service not known")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN.match(str(secret)):
            raise bad("bad webhook: secret token contains unallowed characters")
        max_connections = int(params.get("max_connections") or 40)
        if not 1 <= max_connections <= 100:
            raise bad("bad webhook: max_connections must be between 1 and 100")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": max_connections,
            "allowed_updates": params.get("allowed_updates") or [],
        }
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        return True

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {}
        if params.get("drop_pending_updates") in (True, "true", "True"):
            self._updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        for key in ("max_connections", "allowed_updates", "last_error_date", "last_error_message"):
            if key in self.webhook:
                info[key] = self.webhook[key]
        return info

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        timeout = float(params.get("timeout") or 0)
        limit = int(params.get("limit") or 100)
        offset = int(params.get("offset") or 0)
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if self.webhook.get("url"):
                    raise ApiError(
                        409,
                        "Conflict: can't use getUpdates method while webhook is "
                        "active; use deleteWebhook to delete the webhook first",
                    )
                if offset:
                    self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = self._updates[:limit]
                remaining = deadline - time.monotonic()
                if ready or remaining <= 0:
                    return ready
                event = asyncio.Event()
                self._update_waiters.append((asyncio.get_running_loop(), event))
            try:
                await asyncio.wait_for(event.wait(), timeout=remaining)
            except TimeoutError:
                pass

    # ----- helpers -----------------------------------------------------------------------------

    def _deliverable(self, chat_id: int) -> None:
        """Blocked chats and rate limits, checked after validation as the API does."""
        if chat_id in self.config.blocked_chats:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if not self.config.rate_limits:
            return
        now = time.monotonic()
        chat_times = self._sent_per_chat[chat_id]
        for times in (chat_times, self._sent_overall):
            while times and now - times[0] >= 1.0:
                times.popleft()
        for times, limit in (
            (chat_times, self.config.per_chat_per_second),
            (self._sent_overall, self.config.overall_per_second),
        ):
            if len(times) >= limit:
                wait = max(1, int(-(-(1.0 - (now - times[0])) // 1)))
                raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        chat_times.append(now)
        self._sent_overall.append(now)

    def _record(
        self,
        method: str,
        chat_id: int,
        content: dict[str, Any],
        params: dict[str, Any],
        markup: dict[str, Any] | None,
    ) -> dict[str, Any]:
        chat = self._chat_for(chat_id)
        message: dict[str, Any] = {
            "message_id": next(self._message_ids[chat_id]),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
            **content,
        }
        if markup:
            message["reply_markup"] = markup
        self._chats[chat_id][message["message_id"]] = message
        self.messages.append(
            {
                "method": method,
                "chat_id": chat_id,
                "message_id": message["message_id"],
                "text": content.get("text"),
                "caption": content.get("caption"),
                "parse_mode": params.get("parse_mode"),
                "reply_markup": markup,
                "at": time.time(),
            }
        )
        return message

    def _chat_for(self, chat_id: int) -> dict[str, Any]:
        for message in self._chats[chat_id].values():
            return dict(message["chat"])
        return {"id": chat_id, "type": "private", "first_name": "Lan"}

    # ----- HTTP --------------------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.api_route("/bot{token}/{method}", methods=["GET", "POST"])
        async def api(token: str, method: str, request: Request) -> Any:
            started = time.time()
            try:
                params = await _params(request)
                result = await self.call(token, method, params)
            except ClientDisconnect:  # the client went away (e.g. a killed process): no answer
                return Response(status_code=499)
            except ApiError as error:
                self._log_call(method, error.code, started)
                if error.code == 502:
                    return PlainTextResponse("<html><body>502 Bad Gateway</body></html>", 502)
                body: dict[str, Any] = {
                    "ok": False,
                    "error_code": error.code,
                    "description": error.description,
                }
                if error.retry_after is not None:
                    body["parameters"] = {"retry_after": error.retry_after}
                return JSONResponse(body, status_code=error.code)
            self._log_call(method, 200, started)
            return {"ok": True, "result": result}

        @app.get("/_test/messages")
        async def messages() -> list[dict[str, Any]]:
            with self._lock:
                return list(self.messages)

        @app.get("/_test/calls")
        async def calls() -> list[dict[str, Any]]:
            with self._lock:
                return list(self.calls)

        @app.post("/_test/updates")
        async def add_update(request: Request) -> dict[str, Any]:
            return self.queue(await request.json())

        @app.post("/_test/config")
        async def configure(request: Request) -> dict[str, str]:
            self.configure(**await request.json())
            return {"status": "ok"}

        @app.post("/_test/reset")
        async def reset() -> dict[str, str]:
            self.reset()
            return {"status": "ok"}

        return app

    def _log_call(self, method: str, status: int, started: float) -> None:
        with self._lock:
            self.calls.append({"method": method, "status": status, "at": started})


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart request."""

    filename: str
    data: bytes


async def _params(request: Request) -> dict[str, Any]:
    """Parameters from the query string, a JSON body, a form or a multipart body."""
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = await request.body()
        if body:
            try:
                params.update(json.loads(body))
            except ValueError as error:
                raise bad("can't parse JSON request body") from error
    elif content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, value in form.multi_items():
            if hasattr(value, "read"):
                params[key] = UploadedFile(value.filename or key, await value.read())
            else:
                params[key] = value
    for key in JSON_FIELDS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError as error:
                raise bad(f"can't parse {key} JSON object") from error
    return params


def _int(value: Any, missing: str) -> int:
    if value is None or value == "":
        raise bad(missing)
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise bad(missing) from error


def _chat_id(params: dict[str, Any]) -> int:
    if params.get("chat_id") in (None, ""):
        raise bad("chat_id is empty")
    try:
        return int(params["chat_id"])
    except (TypeError, ValueError) as error:
        raise bad("chat not found") from error


def _message_text(
    params: dict[str, Any], key: str, limit: int, too_long: str, *, required: bool
) -> tuple[str, dict[str, Any]]:
    """Parse a text or caption as the API does; returns the plain text and its entities."""
    raw = params.get(key)
    if raw is None or raw == "":
        if required:
            raise bad("message text is empty")
        return "", {}
    raw = str(raw)
    mode = str(params.get("parse_mode") or "")
    if mode.upper() == "HTML":
        try:
            text, entities = parse_html(raw)
        except HtmlError as error:
            raise ApiError(400, str(error)) from error
    elif mode:
        raise bad(f"unsupported parse_mode {mode!r} in this fake")
    else:
        text, entities = raw, []
    if required and not text.strip():
        raise bad("message text is empty")
    if utf16_len(text) > limit:
        raise bad(too_long)
    return text, ({"entities": entities} if entities else {})


def _markup(params: dict[str, Any]) -> dict[str, Any] | None:
    """Validate an inline keyboard the way the API does (button text, callback_data bytes)."""
    markup = params.get("reply_markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is None:
        return markup
    if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
        raise bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    for row in keyboard:
        for button in row:
            if not str(button.get("text", "")).strip():
                raise (
                    bad("BUTTON_TEXT_EMPTY")
                    if "text" in button
                    else bad("can't parse inline keyboard button: Text must be non-empty")
                )
            kinds = [
                k
                for k in (
                    "callback_data",
                    "url",
                    "switch_inline_query",
                    "pay",
                    "web_app",
                    "login_url",
                    "copy_text",
                )
                if k in button
            ]
            if len(kinds) != 1:
                raise bad(
                    "can't parse inline keyboard button: Exactly one of the optional "
                    "fields must be used"
                )
            if (
                "callback_data" in button
                and not 1 <= len(str(button["callback_data"]).encode("utf-8")) <= 64
            ):
                raise bad("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).startswith(
                ("http://", "https://", "tg://")
            ):
                raise bad("BUTTON_URL_INVALID")
    return markup


def main() -> None:
    """Run the fake as its own process (for tests that kill and restart the bot)."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on loopback")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--rate-limits", action="store_true")
    parser.add_argument("--blocked", default="", help="comma-separated chat ids")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    config = FakeTelegramConfig(
        rate_limits=args.rate_limits,
        failure_rate=args.failure_rate,
        seed=args.seed,
        blocked_chats={int(c) for c in args.blocked.split(",") if c.strip()},
    )
    fake = FakeTelegram(args.token, config=config)
    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
