"""A fake Zalo Bot Platform API over real HTTP on loopback, shaped like the documented one.

`POST /bot<token>/<method>` with a JSON body answers `{"ok": true, "result": ...}` or
`{"ok": false, "error_code": ..., "description": ...}`. It validates what the platform documents:
`sendMessage` text 1–2,000 characters, `sendPhoto` needs a photo URL, `sendChatAction` actions,
`setWebhook` an HTTPS URL (loopback http allowed unless `require_https`) and a `secret_token` of
8–256 characters, `getUpdates` refused (409) while a webhook is set. There are no buttons: any
`reply_markup` is refused. Users' events are built with `user_says` / `user_sends` and either
queued for `getUpdates` (which returns one event, or error 408 after the timeout) or posted to the
webhook with `X-Bot-Api-Secret-Token` (`post_webhook`, `wrapped=` chooses the payload shape).
Rate limits are not published: `per_chat_per_second` (off by default) answers messages beyond it
to one chat within a second with 429 and `parameters.retry_after`, recorded in `rate_limited`.

    python -m tests.fakes.zalo_bot_api --port 8082     # GET /_test/messages, POST /_test/reset
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import threading
import time
from collections import defaultdict, deque
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.fakes.serve import ServedFake

TEXT_LIMIT = 2000
ACTIONS = {"typing", "upload_photo"}


class ZaloApiError(Exception):
    """An `{"ok": false}` answer."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.retry_after = code, description, retry_after


class FakeZaloBot(ServedFake):
    """The fake platform's state; thread-safe."""

    def __init__(
        self,
        token: str = "2468:zalo-bot-secret",
        *,
        require_https: bool = False,
        blocked_chats: set[str] | None = None,
    ) -> None:
        self.token = token
        self.require_https = require_https
        self.blocked_chats = blocked_chats or set()
        self.per_chat_per_second: int | None = None  # rate limit (unpublished: off by default)
        self._lock = threading.RLock()
        self.reset()
        self.app = self._build_app()

    def reset(self) -> None:
        """Forget messages, events and the webhook. Long polls still open from before end at
        once (408): a bot stopped in one test must not take the next test's events."""
        with self._lock:
            self._generation = getattr(self, "_generation", 0) + 1
            for loop, ready in getattr(self, "_waiters", []):
                loop.call_soon_threadsafe(ready.set)
            self.messages: list[dict[str, Any]] = []
            self.rate_limited: list[dict[str, Any]] = []  # every send answered with 429
            self._sent_per_chat: dict[str, deque[float]] = defaultdict(deque)
            self.actions: list[dict[str, Any]] = []
            self.webhook: dict[str, Any] = {}
            self._events: list[dict[str, Any]] = []
            self._ids = itertools.count(1)
            self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def texts(self, chat_id: str) -> list[str]:
        """Texts (and photo captions) the bot sent to a chat, in order."""
        with self._lock:
            return [
                m.get("text") or m.get("caption") or ""
                for m in self.messages
                if m["chat_id"] == chat_id
            ]

    # ----- users' events -----------------------------------------------------------------------

    def event(self, chat_id: str, name: str, **content: Any) -> dict[str, Any]:
        """An event of a person in a private chat (not queued)."""
        with self._lock:
            message_id = f"m{next(self._ids):06d}"
        return {
            "event_name": name,
            "message": {
                "message_id": message_id,
                "date": int(time.time() * 1000),
                "chat": {"id": chat_id, "chat_type": content.pop("chat_type", "PRIVATE")},
                "from": {"id": chat_id, "display_name": "Lan", "is_bot": False},
                **content,
            },
        }

    def user_says(self, chat_id: str, text: str, **extra: Any) -> dict[str, Any]:
        """A text message event."""
        return self.event(chat_id, "message.text.received", text=text, **extra)

    def user_sends(self, chat_id: str, kind: str) -> dict[str, Any]:
        """An image, sticker or unsupported event."""
        content = {
            "image": {"photo_url": "https://zalo.example/p.jpg", "caption": "ảnh"},
            "sticker": {"sticker": "st-1", "url": "https://zalo.example/st.webp"},
            "unsupported": {},
        }[kind]
        return self.event(chat_id, f"message.{kind}.received", **content)

    def queue(self, event: dict[str, Any]) -> dict[str, Any]:
        """Make an event available to getUpdates."""
        with self._lock:
            self._events.append(event)
            waiters, self._waiters = self._waiters, []
        for loop, ready in waiters:
            loop.call_soon_threadsafe(ready.set)
        return event

    async def post_webhook(
        self,
        event: dict[str, Any],
        *,
        secret: str | None = None,
        use_configured_secret: bool = True,
        wrapped: bool = True,
    ) -> int:
        """Deliver an event to the webhook; returns the HTTP status."""
        with self._lock:
            url, configured = self.webhook.get("url"), self.webhook.get("secret_token")
        if url is None:
            raise RuntimeError("no webhook set")
        token = secret if secret is not None else (configured if use_configured_secret else None)
        headers = {"Content-Type": "application/json"}
        if token:
            headers["X-Bot-Api-Secret-Token"] = token
        body = {"ok": True, "result": event} if wrapped else event
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(url, content=json.dumps(body), headers=headers)
        return response.status_code

    # ----- the API -----------------------------------------------------------------------------

    async def call(self, token: str, method: str, params: dict[str, Any]) -> Any:
        """Run one method; raises ZaloApiError."""
        if token != self.token:
            raise ZaloApiError(401, "Unauthorized")
        if method == "getUpdates":
            return await self._get_updates(params)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            raise ZaloApiError(404, "Not Found")
        with self._lock:
            return handler(params)

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": self.token.split(":", 1)[0],
            "account_name": "bot.trolycds",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    def _chat(self, params: dict[str, Any]) -> str:
        chat_id = str(params.get("chat_id") or "")
        if not chat_id:
            raise ZaloApiError(400, "Bad Request: chat_id is required")
        if "reply_markup" in params:
            raise ZaloApiError(400, "Bad Request: reply_markup is not supported")
        if chat_id in self.blocked_chats:
            raise ZaloApiError(403, "Forbidden: the user has blocked the bot")
        return chat_id

    def _paced(self, chat_id: str, method: str) -> None:
        """With `per_chat_per_second` set: more messages to a chat within one second → 429."""
        if self.per_chat_per_second is None:
            return
        now = time.monotonic()
        times = self._sent_per_chat[chat_id]
        while times and now - times[0] >= 1.0:
            times.popleft()
        if len(times) >= self.per_chat_per_second:
            self.rate_limited.append({"chat_id": chat_id, "method": method, "at": now})
            raise ZaloApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        times.append(now)

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ZaloApiError(400, "Bad Request: text is required")
        if len(text) > TEXT_LIMIT:
            raise ZaloApiError(400, f"Bad Request: text must be 1-{TEXT_LIMIT} characters")
        self._paced(chat_id, "sendMessage")
        return self._record("sendMessage", chat_id, text=text)

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = self._chat(params)
        photo = params.get("photo")
        if not isinstance(photo, str) or not photo.startswith(("http://", "https://")):
            raise ZaloApiError(400, "Bad Request: photo must be a URL")
        caption = str(params.get("caption") or "")
        if len(caption) > TEXT_LIMIT:
            raise ZaloApiError(400, "Bad Request: caption is too long")
        self._paced(chat_id, "sendPhoto")
        return self._record("sendPhoto", chat_id, photo=photo, caption=caption)

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat_id = self._chat(params)
        if params.get("action") not in ACTIONS:
            raise ZaloApiError(400, "Bad Request: invalid action")
        self.actions.append({"chat_id": chat_id, "action": params["action"]})
        return True

    def _m_setWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        url = str(params.get("url") or "")
        if not url.startswith("https://") and (
            self.require_https or not url.startswith("http://127.0.0.1")
        ):
            raise ZaloApiError(400, "Bad Request: url must be HTTPS")
        secret = str(params.get("secret_token") or "")
        if not 8 <= len(secret) <= 256:
            raise ZaloApiError(400, "Bad Request: secret_token must be 8-256 characters")
        self.webhook = {"url": url, "secret_token": secret, "updated_at": int(time.time() * 1000)}
        return {"url": url, "updated_at": self.webhook["updated_at"]}

    def _m_deleteWebhook(self, params: dict[str, Any]) -> dict[str, Any]:
        self.webhook = {}
        return {"url": "", "updated_at": int(time.time() * 1000)}

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook.get("url", ""), "updated_at": self.webhook.get("updated_at")}

    async def _get_updates(self, params: dict[str, Any]) -> dict[str, Any]:
        deadline = time.monotonic() + float(params.get("timeout") or 30)
        generation = self._generation
        while True:
            with self._lock:
                if generation != self._generation:
                    raise ZaloApiError(408, "Request timeout")
                if self.webhook.get("url"):
                    raise ZaloApiError(409, "Conflict: webhook is active")
                if self._events:
                    return self._events.pop(0)
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ZaloApiError(408, "Request timeout")
                ready = asyncio.Event()
                self._waiters.append((asyncio.get_running_loop(), ready))
            try:
                await asyncio.wait_for(ready.wait(), timeout=remaining)
            except TimeoutError:
                pass

    def _record(self, method: str, chat_id: str, **content: Any) -> dict[str, Any]:
        message_id = f"b{next(self._ids):06d}"
        self.messages.append(
            {"method": method, "chat_id": chat_id, "message_id": message_id, **content}
        )
        return {"message_id": message_id, "date": int(time.time() * 1000)}

    # ----- HTTP --------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.post("/bot{token}/{method}")
        async def api(token: str, method: str, request: Request) -> Any:
            try:
                body = await request.body()
                params = json.loads(body) if body else {}
                if not isinstance(params, dict):
                    raise ZaloApiError(400, "Bad Request: body must be a JSON object")
                return {"ok": True, "result": await self.call(token, method, params)}
            except ValueError:
                error = ZaloApiError(400, "Bad Request: invalid JSON")
            except ZaloApiError as failure:
                error = failure
            body: dict[str, Any] = {
                "ok": False,
                "error_code": error.code,
                "description": error.description,
            }
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
            return JSONResponse(body, status_code=error.code)

        @app.get("/_test/messages")
        async def messages() -> list[dict[str, Any]]:
            with self._lock:
                return list(self.messages)

        @app.post("/_test/reset")
        async def reset() -> dict[str, str]:
            self.reset()
            return {"status": "ok"}

        return app


def main() -> None:
    """Run the fake as its own process."""
    parser = argparse.ArgumentParser(description="Fake Zalo Bot API on loopback")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", default="2468:zalo-bot-secret")
    args = parser.parse_args()
    uvicorn.run(FakeZaloBot(args.token).app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
