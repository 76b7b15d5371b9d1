"""The Zalo Official Account API (v3 consultation messages, uploads, OAuth v4 token refresh) and
`ZaloOaSender`, which shows core replies there: buttons as `oa.query.hide` quick replies (numbered
text when a message cannot carry them), texts split to ZALO_OA_TEXT_LIMIT, images and files
uploaded. A person outside the consultation window is `Unreachable("zalo_oa_window")`.

The access token comes from `ChannelStateService.oa_access_token`, which spends the single-use
refresh token under a row lock and stores the new pair before the token is used."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import timedelta
from typing import Any

import httpx

from bot.channels.combine import combine_texts
from bot.channels.split import split_text
from bot.channels.zalo_render import (
    ZaloFile,
    ZaloImage,
    ZaloText,
    render_numbered,
    text_with_choices,
)
from bot.config import Settings
from bot.core.clock import Clock
from bot.core.notify import DeliveryError, Pace, Rejected, RetryLater, Unreachable
from bot.core.replies import Reply, Text
from bot.messages import Catalog, load_catalog
from bot.services.channels import ChannelStateService, OaNotConfigured, TokenGrant

CHANNEL = "zalo_oa"
PAYLOAD_PREFIX = "#cds:"  # quick-reply payloads come back as text starting with this
MAX_QUICK_REPLIES = 5  # unconfirmed: more buttons are written as numbered text
MAX_TITLE = 100
TOKEN_ERRORS = {-216, -124, -14002}
WINDOW_ERRORS = {-230, -232}
UNSUPPORTED_FILE = -210  # OA uploads take only PDF/DOC/DOCX (unconfirmed)
log = logging.getLogger(__name__)


class ZaloOaError(Exception):
    """An API answer with `error != 0` (`code` None for transport failures and 5xx)."""

    def __init__(self, code: int | None, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


class ZaloOaClient:
    """OA API calls with a fresh access token; retries once after a refused token."""

    def __init__(
        self, settings: Settings, state: ChannelStateService, http: httpx.AsyncClient
    ) -> None:
        self._settings = settings
        self._state = state
        self.http = http
        self._api = settings.zalo_oa_api_base_url.rstrip("/")
        self._oauth = settings.zalo_oa_oauth_base_url.rstrip("/")

    async def refresh(self, refresh_token: str) -> TokenGrant:
        """Spend a refresh token at the OAuth endpoint (called under the token row lock)."""
        secret = self._settings.zalo_oa_app_secret
        try:
            response = await self.http.post(
                f"{self._oauth}/v4/oa/access_token",
                headers={"secret_key": secret.get_secret_value() if secret else ""},
                data={
                    "app_id": self._settings.zalo_oa_app_id,
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                },
            )
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            raise ZaloOaError(None, f"token refresh failed: {type(error).__name__}") from error
        if not body.get("access_token") or not body.get("refresh_token"):
            raise ZaloOaError(
                int(body.get("error") or -1),
                str(
                    body.get("error_name")
                    or body.get("error_description")
                    or "token refresh refused"
                ),
            )
        return TokenGrant(
            str(body["access_token"]),
            str(body["refresh_token"]),
            int(body.get("expires_in") or 3600),
        )

    async def access_token(self) -> str:
        """A valid access token (refreshed and stored first when needed)."""
        configured = self._settings.zalo_oa_refresh_token
        try:
            return await self._state.oa_access_token(
                app_id=self._settings.zalo_oa_app_id,
                configured_refresh=configured.get_secret_value() if configured else None,
                refresh=self.refresh,
            )
        except OaNotConfigured as error:
            raise ZaloOaError(-1, "no refresh token configured") from error

    async def call(
        self, path: str, *, json: dict[str, Any] | None = None, files: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """POST to the OA API; the `data` of the answer."""
        for attempt in range(2):
            token = await self.access_token()
            try:
                response = await self.http.post(
                    f"{self._api}{path}", json=json, files=files, headers={"access_token": token}
                )
            except httpx.HTTPError as error:
                raise ZaloOaError(None, type(error).__name__) from error
            if response.status_code >= 500:
                raise ZaloOaError(None, f"HTTP {response.status_code}")
            try:
                body = response.json()
            except ValueError:
                raise ZaloOaError(None, "invalid JSON answer") from None
            code = int(body.get("error") or 0)
            if code == 0:
                return dict(body.get("data") or {})
            if code in TOKEN_ERRORS and attempt == 0:
                await self._state.expire_oa_access(
                    app_id=self._settings.zalo_oa_app_id, access_token=token
                )
                continue
            raise ZaloOaError(code, str(body.get("message") or ""))
        raise ZaloOaError(-216, "access token refused twice")

    async def close(self) -> None:
        """Release connections."""
        await self.http.aclose()


def delivery_error(error: ZaloOaError) -> DeliveryError:
    """The core's verdict on a failed send."""
    if error.code == -32:  # too many requests (no wait given)
        return RetryLater(str(error), rate_limited=True)
    if error.code is None:
        return RetryLater(str(error))
    if error.code in WINDOW_ERRORS:
        return Unreachable("zalo_oa_window")
    if error.code == -213:
        return Unreachable("zalo_oa_not_following")
    if error.code in TOKEN_ERRORS or error.code == -14014:
        return RetryLater(str(error))  # fixable by an admin without losing the message
    return Rejected(str(error))


class ZaloOaSender:
    """Sends core replies to an OA follower as consultation messages."""

    def __init__(
        self,
        client: ZaloOaClient,
        state: ChannelStateService,
        clock: Clock,
        *,
        text_limit: int,
        window: timedelta,
        catalog: Catalog | None = None,
    ) -> None:
        self.client = client
        self._state = state
        self._clock = clock
        self._limit = text_limit
        self._window = window
        self._t = catalog or load_catalog()

    async def send(
        self,
        user_id: str,
        replies: Sequence[Reply],
        *,
        skip: int = 0,
        answering: bool = False,
        pace: Pace | None = None,
    ) -> None:
        """Send replies in order (after the first `skip` messages, each inside `pace()`), if the
        person is inside the consultation window. `answering`: these answer what the person just
        wrote, so they are inside it even when nothing is recorded (their data was erased by this
        very message)."""
        last, _ = await self._state.oa_last_interaction(user_id)
        outside = last is None or self._clock.now() - last > self._window
        if outside and not answering:
            raise Unreachable("zalo_oa_window").after(skip)
        for index, message in enumerate(self.messages(replies)[skip:], start=skip):
            try:
                if "file" in message:
                    message = await self._with_upload(message)
                async with pace() if pace is not None else nullcontext():
                    await self.client.call(
                        "/v3.0/oa/message/cs",
                        json={"recipient": {"user_id": user_id}, "message": message},
                    )
            except ZaloOaError as error:
                raise delivery_error(error).after(index) from error

    def messages(self, replies: Sequence[Reply]) -> list[dict[str, Any]]:
        """The `message` objects to send (files still to upload carry a `file` key); consecutive
        plain texts go as one message where the text limit allows."""
        replies = combine_texts(
            replies,
            limit=self._limit,
            size=lambda reply: len(text_with_choices(reply, numbered_list=True, t=self._t)),
        )
        quick = all(_fits_quick_replies(reply) for reply in replies)
        out: list[dict[str, Any]] = []
        for reply in replies if quick else [None]:
            if isinstance(reply, Text):
                out.extend(self._text_messages(reply))
                continue
            pieces = render_numbered(
                replies if reply is None else [reply], self._t, limit=self._limit
            )
            for piece in pieces:
                if isinstance(piece, ZaloText):
                    out.append({"text": piece.text})
                else:
                    out.extend(self._media_messages(piece))
        return out

    def _text_messages(self, reply: Text) -> list[dict[str, Any]]:
        parts = split_text(reply.text.strip() or self._t("channels.empty_text"), self._limit)
        messages: list[dict[str, Any]] = [{"text": part} for part in parts]
        if reply.buttons:
            buttons = [
                {"title": b.label, "type": "oa.query.hide", "payload": PAYLOAD_PREFIX + b.action}
                for row in reply.buttons
                for b in row
            ]
            messages[-1]["attachment"] = {"type": "template", "payload": {"buttons": buttons}}
        return messages

    def _media_messages(self, piece: ZaloImage | ZaloFile) -> list[dict[str, Any]]:
        if not piece.url and not piece.data:  # held by another platform: nothing to send here
            key = "image_not_available" if isinstance(piece, ZaloImage) else "file_not_available"
            first: dict[str, Any] = {"text": self._t(f"channels.{key}", name=piece.file_name)}
        elif isinstance(piece, ZaloImage):
            element: dict[str, Any] = {"media_type": "image"}
            if piece.url:
                element["url"] = piece.url
            first = {
                "attachment": {
                    "type": "template",
                    "payload": {"template_type": "media", "elements": [element]},
                }
            }
            if not piece.url:
                first["file"] = ("image", piece.file_name, piece.data)
        elif piece.url:  # a link the OA cannot attach: written out
            first = {"text": self._t("channels.file_link", name=piece.file_name, url=piece.url)}
        else:
            first = {
                "attachment": {"type": "file", "payload": {}},
                "file": ("file", piece.file_name, piece.data),
            }
        caption = piece.caption.strip()
        return [first, *({"text": part} for part in split_text(caption, self._limit) if caption)]

    async def _with_upload(self, message: dict[str, Any]) -> dict[str, Any]:
        kind, name, data = message.pop("file")
        try:
            uploaded = await self.client.call(
                f"/v2.0/oa/upload/{kind}", files={"file": (name, data)}
            )
        except ZaloOaError as error:
            if error.code != UNSUPPORTED_FILE:
                raise
            key = (
                "channels.file_not_available"
                if kind == "file"
                else ("channels.image_not_available")
            )
            return {"text": self._t(key, name=name) if kind == "file" else self._t(key)}
        payload = message["attachment"]["payload"]
        if kind == "image":
            payload["elements"][0]["attachment_id"] = uploaded.get("attachment_id", "")
        else:
            payload["token"] = uploaded.get("token", "")
        return message


def _fits_quick_replies(reply: Reply) -> bool:
    if not isinstance(reply, Text):
        return True
    labels = [b.label for row in reply.buttons for b in row]
    return len(labels) <= MAX_QUICK_REPLIES and all(len(label) <= MAX_TITLE for label in labels)
