"""A fake Telegram Bot API over real HTTP on loopback, faithful to the documented shapes.

It answers `/bot<token>/<method>` with `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": ..., "description": ...}` (a malformed token: 404 "Not Found"; a
well-formed token that is not the bot's: 401 "Unauthorized", as api.telegram.org does) and
validates what the real API validates: text 1–4096 and captions ≤ 1024 UTF-16 units after HTML
parsing, Telegram's HTML subset, `callback_data` 1–64 bytes, albums (sendMediaGroup: 2–10 items,
files as attach:// parts), command names `^[a-z0-9_]{1,32}$` with 1–256-character descriptions
(≤ 100 commands), webhook secret tokens, known callback query ids, messages to edit.

Options: per-chat (1/s) and overall (30/s) rate limits, counted in sliding one-second windows,
answering 429 with `parameters.retry_after` (`busiest_second`, `busiest_chat_second` and
`too_many_requests` tell a test how close it came); chats that blocked the bot (403);
random 502s (probability and seed);
`stall_sends`: sending methods hang, unanswered, until the option is turned off (a request whose
client went away meanwhile is dropped unrecorded: a crash test's "killed before the reply went
out"); `stalled` counts the requests that hung. A webhook answered with a method
(`{"method": "sendMessage", …}`) has it run by `post_webhook`, as Telegram runs it.

In-process use (tests)::

    with FakeTelegram(token="1:abc").running() as fake:
        bot = Bot("1:abc", base_url=fake.base_url)   # fake.base_url ends with "/bot"
        update = fake.user_says(42, "/start")        # queued for getUpdates
        status = await fake.post_webhook(update)    # or pushed to the webhook set with setWebhook
        fake.messages                                # every accepted sendMessage/… call

Separate process (e.g. a crash test)::

    python -m tests.fakes.telegram_api --port 8081 --token 1:abc --rate-limits --blocked 7
    GET  /_test/messages    every accepted outgoing message, in order
    GET  /_test/count       {"messages": how many, "last_at": when the last was accepted}
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
import random
import re
import threading
import time
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.requests import ClientDisconnect

from tests.fakes.serve import ServedFake
from tests.fakes.telegram_params import (
    ApiError,
    UploadedFile,
    bad,
    chat_id_param,
    inline_markup,
    int_param,
    message_text,
    read_params,
)
from tests.fakes.telegram_users import TelegramUsers

WELL_FORMED_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
SENDING = {"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup", "editMessageText"}
ALBUM_TYPES = {"photo", "video", "document", "audio"}
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
    stall_sends: bool = False


class FakeTelegram(TelegramUsers, ServedFake):
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
        """Forget everything received and queued (the configuration stays). Long polls still
        open from before end at once with no updates and leave no call behind: a bot that
        stopped polling in one test must not show up in the next test's calls."""
        with self._lock:
            self._generation = getattr(self, "_generation", 0) + 1
            for loop, event in getattr(self, "_update_waiters", []):
                loop.call_soon_threadsafe(event.set)
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
            self._media_groups = itertools.count(13_000_000_000_000_000)
            self.files: dict[str, bytes] = {}  # file_id → bytes people "sent" (getFile)
            self.stalled = 0

    def configure(self, **changes: Any) -> None:
        """Change options at run time (rate_limits, blocked_chats, failure_rate, seed, …)."""
        with self._lock:
            for name, value in changes.items():
                if name == "blocked_chats":
                    value = {int(chat) for chat in value}
                setattr(self.config, name, value)
            if "seed" in changes:
                self._random = random.Random(self.config.seed)

    def busiest_second(self, chat_id: int | None = None) -> int:
        """The most messages accepted in any window of one second, for one chat or overall
        (from the acceptance times recorded with every message)."""
        with self._lock:
            times = sorted(
                m["at"] for m in self.messages if chat_id is None or m["chat_id"] == chat_id
            )
        most, start = 0, 0
        for end, at in enumerate(times):
            while at - times[start] >= 1.0:
                start += 1
            most = max(most, end - start + 1)
        return most

    def busiest_chat_second(self) -> int:
        """The most messages accepted for any one chat in any window of one second."""
        with self._lock:
            chats = {m["chat_id"] for m in self.messages}
        return max((self.busiest_second(chat) for chat in chats), default=0)

    @property
    def too_many_requests(self) -> int:
        """How many calls were answered 429."""
        with self._lock:
            return sum(1 for call in self.calls if call["status"] == 429)

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

    # ----- the API -----------------------------------------------------------------------------

    async def call(self, token: str, method: str, params: dict[str, Any]) -> Any:
        """Run one API method; raises ApiError like the real API would answer."""
        if not WELL_FORMED_TOKEN.fullmatch(token):  # the real API has no such path
            raise ApiError(404, "Not Found")
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

    async def run_webhook_answer(self, body: dict[str, Any]) -> None:
        """Run the method a webhook answered with (`{"method": "sendMessage", ...}`), as
        Telegram does: validated like a call; its result and its errors go nowhere."""
        method = str(body.get("method", ""))
        params = {key: value for key, value in body.items() if key != "method"}
        started = time.time()
        try:
            await self.call(self.token, method, params)
        except ApiError as error:
            self._log_call(method, error.code, started, params.get("chat_id"), via="webhook")
            return
        self._log_call(method, 200, started, via="webhook")

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = chat_id_param(params)
        text = message_text(params, "text", 4096, "message is too long", required=True)
        markup = inline_markup(params)
        self._deliverable(chat_id)
        return self._record("sendMessage", chat_id, {"text": text[0], **text[1]}, params, markup)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "photo")

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_file(params, "document")

    def _send_file(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        chat_id = chat_id_param(params)
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
        caption = message_text(
            params, "caption", 1024, "message caption is too long", required=False
        )
        markup = inline_markup(params)
        self._deliverable(chat_id)
        content = self._file_content(kind, size, name)
        if caption[0]:
            content.update(
                {"caption": caption[0], **{f"caption_{k}": v for k, v in caption[1].items()}}
            )
        recorded = self._record(f"send{kind.title()}", chat_id, content, params, markup)
        self.messages[-1].update({"file_name": name, "file_size": size})
        return recorded

    def _m_sendMediaGroup(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        """An album: `media` is a JSON array of 2–10 InputMedia; a file uploaded with the request
        is named `attach://<part>` and sent as that multipart part. Photos and videos may mix;
        documents and audio only with their own kind. Every item is checked before any is sent,
        and the album counts once against the rate limits."""
        chat_id = chat_id_param(params)
        media = params.get("media")
        if not isinstance(media, list) or not media:
            raise bad("media to send are not specified")
        if len(media) > 10:
            raise bad("too many messages to send as an album")
        if len(media) < 2:
            raise bad("wrong number of media in the album: 2-10 items are needed")
        items = []
        for number, item in enumerate(media, 1):
            if not isinstance(item, dict) or item.get("type") not in ALBUM_TYPES:
                raise bad(f"can't parse InputMedia #{number}")
            items.append(self._album_item(params, item, number))
        kinds = {item["type"] for item in media}
        if len(kinds) > 1 and not kinds <= {"photo", "video"}:
            raise bad("document and audio can't be mixed with other media types")
        self._deliverable(chat_id)
        group_id = str(next(self._media_groups))
        sent = []
        for item, (kind, size, name, caption) in zip(media, items, strict=True):
            content = self._file_content(kind, size, name)
            content["media_group_id"] = group_id
            if caption[0]:
                content.update(
                    {"caption": caption[0], **{f"caption_{k}": v for k, v in caption[1].items()}}
                )
            item_params = {"parse_mode": item.get("parse_mode")}
            sent.append(self._record("sendMediaGroup", chat_id, content, item_params, None))
            self.messages[-1].update(
                {"file_name": name, "file_size": size, "media_group_id": group_id}
            )
        return sent

    def _album_item(
        self, params: dict[str, Any], item: dict[str, Any], number: int
    ) -> tuple[str, int | None, str, tuple[str, dict[str, Any]]]:
        """(type, size, file name, parsed caption) of one InputMedia of an album."""
        kind = str(item["type"])
        ref = item.get("media")
        if not isinstance(ref, str) or not ref:
            raise bad(f"there is no media in the request for InputMedia #{number}")
        size: int | None = None
        name = ref
        if ref.startswith("attach://"):
            upload = params.get(ref.removeprefix("attach://"))
            if not isinstance(upload, UploadedFile):
                raise bad(f"can't find attached file for InputMedia #{number}")
            if not upload.data:
                raise bad("file must be non-empty")
            if kind == "photo" and not upload.data.startswith(IMAGE_MAGIC):
                raise bad("IMAGE_PROCESS_FAILED")
            size, name = len(upload.data), upload.filename
        caption = message_text(
            {"caption": item.get("caption"), "parse_mode": item.get("parse_mode")},
            "caption",
            1024,
            "message caption is too long",
            required=False,
        )
        return kind, size, name, caption

    def _file_content(self, kind: str, size: int | None, name: str) -> dict[str, Any]:
        """The photo sizes or document of a sent file, as a Message shows it."""
        if kind == "photo":
            return {
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
        return {
            kind: {
                "file_id": f"BQAC{len(self.messages)}",
                "file_unique_id": f"d{len(self.messages)}",
                "file_name": name,
                "file_size": size or 0,
            }
        }

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = chat_id_param(params)
        message_id = int_param(params.get("message_id"), "message identifier is not specified")
        text, extra = message_text(params, "text", 4096, "MESSAGE_TOO_LONG", required=True)
        markup = inline_markup(params)
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

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        file_id = str(params.get("file_id", ""))
        with self._lock:
            data = self.files.get(file_id)
        if data is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{abs(hash(file_id))}",
            "file_size": len(data),
            "file_path": f"documents/{file_id}.bin",
        }

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat_id = chat_id_param(params)
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
        generation = self._generation
        while True:
            with self._lock:
                if generation != self._generation:
                    return []  # the fake was reset while this poll waited
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
            started, generation = time.time(), self._generation
            try:
                params = await read_params(request)
                if method in SENDING and self.config.stall_sends:
                    if not await self._stall(request):
                        return Response(status_code=499)
                result = await self.call(token, method, params)
            except ClientDisconnect:  # the client went away (e.g. a killed process): no answer
                return Response(status_code=499)
            except ApiError as error:
                if generation == self._generation:
                    self._log_call(method, error.code, started, params.get("chat_id"))
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
            if generation == self._generation:
                self._log_call(method, 200, started, params.get("chat_id"))
            return {"ok": True, "result": result}

        @app.get("/file/bot{token}/{kind}/{name}")
        async def file(token: str, kind: str, name: str) -> Response:
            with self._lock:
                data = self.files.get(name.removesuffix(".bin"))
            if token != self.token or data is None:
                return Response(status_code=404)
            return Response(data, media_type="application/octet-stream")

        @app.get("/_test/messages")
        async def messages() -> list[dict[str, Any]]:
            with self._lock:
                return list(self.messages)

        @app.get("/_test/count")
        async def count() -> dict[str, Any]:
            """How many messages were accepted and when the last one was (a benchmark's poll)."""
            with self._lock:
                last = self.messages[-1]["at"] if self.messages else None
                return {"messages": len(self.messages), "last_at": last}

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

    async def _stall(self, request: Request) -> bool:
        """Hang while `stall_sends` is on; False when the client went away meanwhile."""
        with self._lock:
            self.stalled += 1
        while self.config.stall_sends:
            if await request.is_disconnected():
                return False
            await asyncio.sleep(0.05)
        return not await request.is_disconnected()

    def _log_call(
        self, method: str, status: int, started: float, chat: Any = None, via: str = "api"
    ) -> None:
        """`chat`: the chat a refused call was for; `via`: "api" for a request of the bot,
        "webhook" for a method a webhook answered."""
        with self._lock:
            self.calls.append(
                {"method": method, "status": status, "at": started, "chat": chat, "via": via}
            )


def main() -> None:
    """Run the fake as its own process (for tests that kill and restart the bot)."""
    parser = argparse.ArgumentParser(description="Fake Telegram Bot API on loopback")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="123456:TEST-token")
    parser.add_argument("--rate-limits", action="store_true")
    parser.add_argument("--overall-per-second", type=int, default=30)
    parser.add_argument("--per-chat-per-second", type=int, default=1)
    parser.add_argument("--blocked", default="", help="comma-separated chat ids")
    parser.add_argument("--failure-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    config = FakeTelegramConfig(
        rate_limits=args.rate_limits,
        overall_per_second=args.overall_per_second,
        per_chat_per_second=args.per_chat_per_second,
        failure_rate=args.failure_rate,
        seed=args.seed,
        blocked_chats={int(c) for c in args.blocked.split(",") if c.strip()},
    )
    fake = FakeTelegram(args.token, config=config)
    uvicorn.run(fake.app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
