"""A fake Zalo Official Account API (OpenAPI v3 messages, v2 uploads, OAuth v4) over real HTTP on
loopback, following the shapes of the public documentation (several limits are *unconfirmed*).

- `POST /v4/oa/access_token` (form `app_id`, `grant_type=refresh_token`, `refresh_token`; header
  `secret_key`): a refresh token works **once**; the answer carries a new pair and `expires_in`.
- `POST /v3.0/oa/message/cs` (header `access_token`): text ≤ `text_limit`, buttons ≤ 5 with
  titles ≤ 100 characters and known types, media elements by URL or uploaded `attachment_id`,
  files by uploaded `token`; users marked outside the consultation window get error -230;
  with `per_chat_per_second` set (off by default: Zalo publishes no limit), messages beyond it
  to one person within a second get error -32 (recorded in `rate_limited`).
  Answers `{"error": 0, "message": "Success", "data": {"message_id": …, "user_id": …}}`.
- `POST /v2.0/oa/upload/image|file` (multipart `file`): files only PDF/DOC/DOCX.
- Webhook events are built with `user_says`, `user_clicks`, `user_follows`, … and posted with a
  correct (or deliberately wrong) `X-ZEvent-Signature` by `post_webhook`.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import secrets
import threading
import time
from collections import defaultdict, deque
from typing import Any

import httpx
from fastapi import FastAPI, Request

from tests.fakes.serve import ServedFake

BUTTON_TYPES = {"oa.open.url", "oa.query.show", "oa.query.hide", "oa.open.sms", "oa.open.phone"}
FILE_TYPES = (".pdf", ".doc", ".docx")


class OaError(Exception):
    """An `{"error": <negative>}` answer."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


class FakeZaloOa(ServedFake):
    """The fake OA platform's state; thread-safe."""

    def __init__(
        self,
        *,
        app_id: str = "1357924680",
        secret_key: str = "oa-secret-key",
        app_secret: str = "app-secret",
        refresh_token: str = "rt-0",
        text_limit: int = 2000,
        oa_id: str = "4100000000000000001",
    ) -> None:
        self.app_id, self.secret_key, self.app_secret = app_id, secret_key, app_secret
        self.oa_id = oa_id
        self.text_limit = text_limit
        self.per_chat_per_second: int | None = None  # rate limit (unpublished: off by default)
        self._lock = threading.RLock()
        self.reset(refresh_token)
        self.app = self._build_app()

    def reset(self, refresh_token: str = "rt-0") -> None:
        """Start over with one valid refresh token and no access token."""
        with self._lock:
            self.refresh_tokens: set[str] = {refresh_token}
            self.access_tokens: dict[str, float] = {}  # token → expiry (time.time())
            self.refreshes = 0
            self.messages: list[dict[str, Any]] = []
            self.uploads: dict[str, str] = {}
            self.outside_window: set[str] = set()
            self.rate_limited: list[dict[str, Any]] = []  # every send answered with -32
            self._sent_per_chat: dict[str, deque[float]] = defaultdict(deque)
            self._ids = itertools.count(1)

    def revoke_access_tokens(self) -> None:
        """Make every issued access token invalid (as after expiry on Zalo's side)."""
        with self._lock:
            self.access_tokens.clear()

    def texts(self, user_id: str) -> list[str]:
        """Texts the OA sent to a person, in order."""
        with self._lock:
            return [
                m["message"].get("text", "")
                for m in self.messages
                if m["recipient"].get("user_id") == user_id
            ]

    # ----- events ------------------------------------------------------------------------------

    def _event(self, name: str, user_id: str, **extra: Any) -> dict[str, Any]:
        return {
            "app_id": self.app_id,
            "user_id_by_app": f"app-{user_id}",
            "event_name": name,
            "timestamp": str(int(time.time() * 1000)),
            **extra,
        }

    def _user_event(self, name: str, user_id: str, message: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            msg_id = f"msg{next(self._ids):08d}"
        return self._event(
            name,
            user_id,
            sender={"id": user_id},
            recipient={"id": self.oa_id},
            message={"msg_id": msg_id, **message},
        )

    def user_says(self, user_id: str, text: str) -> dict[str, Any]:
        """A person typed a text."""
        return self._user_event("user_send_text", user_id, {"text": text})

    def user_clicks(self, user_id: str, payload: str) -> dict[str, Any]:
        """A person tapped an oa.query.hide quick reply: its payload arrives as a text."""
        return self.user_says(user_id, payload)

    def user_sends(self, user_id: str, kind: str) -> dict[str, Any]:
        """A person sent an image, a file or a sticker."""
        attachments = {
            "image": [
                {
                    "type": "image",
                    "payload": {
                        "thumbnail": "https://z.example/t.jpg",
                        "url": "https://z.example/p.jpg",
                    },
                }
            ],
            "file": [
                {
                    "type": "file",
                    "payload": {
                        "url": "https://z.example/f.pdf",
                        "name": "bao-cao.pdf",
                        "size": "2048",
                        "type": "pdf",
                    },
                }
            ],
            "sticker": [{"type": "sticker", "payload": {"id": "st1", "url": "https://z/s"}}],
        }[kind]
        return self._user_event(
            f"user_send_{kind}", user_id, {"text": "", "attachments": attachments}
        )

    def user_follows(self, user_id: str, *, follow: bool = True) -> dict[str, Any]:
        """A person followed (or unfollowed) the OA."""
        return self._event(
            "follow" if follow else "unfollow",
            user_id,
            oa_id=self.oa_id,
            follower={"id": user_id},
            source="oa_profile",
        )

    def signature(self, body: bytes, timestamp: str) -> str:
        """The genuine signature of a body."""
        return hashlib.sha256(
            self.app_id.encode() + body + timestamp.encode() + self.secret_key.encode()
        ).hexdigest()

    async def post_webhook(
        self, url: str, event: dict[str, Any], *, signature: str | None = None, prefix: str = "mac="
    ) -> int:
        """Deliver an event as Zalo does; returns the HTTP status."""
        body = json.dumps(event, ensure_ascii=False).encode()
        mac = signature if signature is not None else self.signature(body, event["timestamp"])
        async with httpx.AsyncClient(timeout=30) as client:
            response = await client.post(
                url,
                content=body,
                headers={"Content-Type": "application/json", "X-ZEvent-Signature": prefix + mac},
            )
        return response.status_code

    # ----- the API -----------------------------------------------------------------------------

    def _oauth(self, secret_key: str, form: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            if secret_key != self.app_secret or form.get("app_id") != self.app_id:
                return {"error": -14001, "error_name": "Invalid app", "error_reason": "app"}
            if form.get("grant_type") != "refresh_token":
                return {"error": -14003, "error_name": "Invalid grant type"}
            token = form.get("refresh_token", "")
            if token not in self.refresh_tokens:
                return {
                    "error": -14014,
                    "error_name": "Invalid refresh token",
                    "error_reason": "refresh token is invalid or used",
                }
            self.refresh_tokens.discard(token)  # single use
            self.refreshes += 1
            access, refresh = f"at-{secrets.token_hex(6)}", f"rt-{secrets.token_hex(6)}"
            self.refresh_tokens.add(refresh)
            self.access_tokens[access] = time.time() + 90000
            return {"access_token": access, "refresh_token": refresh, "expires_in": "90000"}

    def _authorized(self, token: str) -> None:
        if self.access_tokens.get(token, 0) < time.time():
            raise OaError(-216, "Access token is invalid")

    def _send(self, body: dict[str, Any]) -> dict[str, Any]:
        user_id = str((body.get("recipient") or {}).get("user_id") or "")
        message = body.get("message")
        if not user_id or not isinstance(message, dict):
            raise OaError(-201, "Parameters are invalid")
        if user_id in self.outside_window:
            raise OaError(-230, "User has not interacted with the OA in the past 7 days")
        text = message.get("text")
        attachment = message.get("attachment")
        if text is None and attachment is None:
            raise OaError(-201, "message must have text or attachment")
        if text is not None and not 1 <= len(str(text)) <= self.text_limit:
            raise OaError(-201, f"text length must be 1-{self.text_limit}")
        if attachment is not None:
            self._check_attachment(attachment)
        self._paced(user_id)
        message_id = f"oa{next(self._ids):08d}"
        self.messages.append(
            {"recipient": {"user_id": user_id}, "message": message, "message_id": message_id}
        )
        return {"message_id": message_id, "user_id": user_id}

    def _paced(self, user_id: str) -> None:
        """With `per_chat_per_second` set: more messages to a person within a second → -32."""
        if self.per_chat_per_second is None:
            return
        now = time.monotonic()
        times = self._sent_per_chat[user_id]
        while times and now - times[0] >= 1.0:
            times.popleft()
        if len(times) >= self.per_chat_per_second:
            self.rate_limited.append({"user_id": user_id, "at": now})
            raise OaError(-32, "Rate limit exceeded")
        times.append(now)

    def _check_attachment(self, attachment: dict[str, Any]) -> None:
        kind, payload = attachment.get("type"), attachment.get("payload") or {}
        if kind == "file":
            if payload.get("token") not in self.uploads:
                raise OaError(-201, "file token is invalid")
            return
        if kind != "template":
            raise OaError(-201, "attachment type is invalid")
        if payload.get("template_type") == "media":
            for element in payload.get("elements") or []:
                if element.get("media_type") != "image":
                    raise OaError(-201, "media_type is invalid")
                if not element.get("url") and element.get("attachment_id") not in self.uploads:
                    raise OaError(-201, "attachment_id is invalid")
            return
        buttons = payload.get("buttons")
        if not isinstance(buttons, list) or not 1 <= len(buttons) <= 5:
            raise OaError(-201, "buttons must be 1-5")
        for button in buttons:
            if button.get("type") not in BUTTON_TYPES:
                raise OaError(-201, "button type is invalid")
            if not 1 <= len(str(button.get("title") or "")) <= 100:
                raise OaError(-201, "button title must be 1-100 characters")
            if (
                button["type"].startswith("oa.query")
                and not 1 <= len(str(button.get("payload") or "")) <= 1000
            ):
                raise OaError(-201, "button payload must be 1-1000 characters")

    def _upload(self, kind: str, name: str, data: bytes) -> dict[str, Any]:
        if not data:
            raise OaError(-201, "file is empty")
        if kind == "file" and not name.lower().endswith(FILE_TYPES):
            raise OaError(-210, "File type is not supported")
        handle = f"{kind}-{secrets.token_hex(6)}"
        self.uploads[handle] = name
        return {"attachment_id": handle} if kind == "image" else {"token": handle}

    def _build_app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.post("/v4/oa/access_token")
        async def oauth(request: Request) -> dict[str, Any]:
            form = await request.form()
            return self._oauth(
                request.headers.get("secret_key", ""), {k: str(v) for k, v in form.items()}
            )

        @app.post("/v3.0/oa/message/cs")
        async def send(request: Request) -> dict[str, Any]:
            raw = await request.body()
            with self._lock:
                try:
                    self._authorized(request.headers.get("access_token", ""))
                    body = json.loads(raw)
                    return {"error": 0, "message": "Success", "data": self._send(body)}
                except OaError as error:
                    return {"error": error.code, "message": error.message}
                except ValueError:
                    return {"error": -201, "message": "body is not JSON"}

        @app.post("/v2.0/oa/upload/{kind}")
        async def upload(kind: str, request: Request) -> dict[str, Any]:
            form = await request.form()
            upload = form.get("file")
            content = b"" if upload is None or isinstance(upload, str) else await upload.read()
            with self._lock:
                try:
                    self._authorized(request.headers.get("access_token", ""))
                    if upload is None or isinstance(upload, str) or kind not in ("image", "file"):
                        raise OaError(-201, "file is required")
                    data = self._upload(kind, upload.filename or "", content)
                    return {"error": 0, "message": "Success", "data": data}
                except OaError as error:
                    return {"error": error.code, "message": error.message}

        return app
