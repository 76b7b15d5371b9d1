"""The Zalo Bot Platform's HTTP API (`<base>/bot<token>/<method>`, JSON in, `{"ok": …}` out) and
`ZaloBotSender`, which shows core replies there: buttons as numbered text, texts split to 2,000
characters, pictures by URL (bot-made ones through the media links), files as links.

Errors: 429 → `RetryLater`, 403 → `Unreachable("blocked")`, 5xx/time-outs/connection errors →
`RetryLater(None)`, anything else → `Rejected`. No rate limiting here: the caller paces sends."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from contextlib import nullcontext
from typing import Any

import httpx

from bot.channels.combine import combine_texts
from bot.channels.media import MediaStore
from bot.channels.split import split_text
from bot.channels.tls import shared_context
from bot.channels.zalo_render import (
    ZaloFile,
    ZaloImage,
    ZaloPiece,
    ZaloText,
    render_numbered,
    text_with_choices,
)
from bot.config import Settings
from bot.core.notify import DeliveryError, Pace, Rejected, RetryLater, Unreachable
from bot.core.replies import Reply, Text
from bot.messages import Catalog, load_catalog

CHANNEL = "zalo_bot"
TEXT_LIMIT = 2000
log = logging.getLogger(__name__)


class ZaloBotError(Exception):
    """An `{"ok": false}` answer (or a transport failure when `code` is None)."""

    def __init__(
        self, code: int | None, description: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{code}: {description}")
        self.code, self.description, self.retry_after = code, description, retry_after


class ZaloBotClient:
    """Calls Bot API methods; raises `ZaloBotError`."""

    def __init__(self, token: str, base_url: str, http: httpx.AsyncClient) -> None:
        self._url = f"{base_url.rstrip('/')}{token}/"
        self.http = http

    @classmethod
    def from_settings(cls, settings: Settings) -> ZaloBotClient:
        """A client for the configured token and base URL."""
        if settings.zalo_bot_token is None:
            raise ValueError("ZALO_BOT_TOKEN is not set")
        http = httpx.AsyncClient(
            timeout=httpx.Timeout(10.0, read=70.0),
            limits=httpx.Limits(max_connections=64),
            verify=shared_context(),
        )
        return cls(settings.zalo_bot_token.get_secret_value(), settings.zalo_bot_api_base_url, http)

    async def call(
        self,
        method: str,
        payload: dict[str, Any] | None = None,
        *,
        read_timeout: float | None = None,
    ) -> Any:
        """POST one method; the `result` on success."""
        try:
            response = await self.http.post(
                self._url + method,
                json=payload or {},
                timeout=read_timeout or httpx.USE_CLIENT_DEFAULT,
            )
        except httpx.HTTPError as error:
            raise ZaloBotError(None, type(error).__name__) from error
        if response.status_code >= 500:
            raise ZaloBotError(None, f"HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise ZaloBotError(response.status_code, "invalid JSON answer") from None
        if body.get("ok"):
            return body.get("result")
        parameters = body.get("parameters") or {}
        raise ZaloBotError(
            int(body.get("error_code") or response.status_code),
            str(body.get("description") or ""),
            parameters.get("retry_after"),
        )

    async def close(self) -> None:
        """Release connections."""
        await self.http.aclose()


def delivery_error(error: ZaloBotError) -> DeliveryError:
    """The core's verdict on a failed send."""
    if error.code is None:
        return RetryLater(str(error))
    if error.code == 429:
        return RetryLater(str(error), retry_after=error.retry_after)
    if error.code == 403:
        return Unreachable("blocked")
    return Rejected(str(error))


class ZaloBotSender:
    """Sends core replies to a Zalo Bot chat (private chats: chat id = user id)."""

    def __init__(
        self, client: ZaloBotClient, media: MediaStore, *, catalog: Catalog | None = None
    ) -> None:
        self.client = client
        self._media = media
        self._t = catalog or load_catalog()

    async def send(
        self, user_id: str, replies: Sequence[Reply], *, skip: int = 0, pace: Pace | None = None
    ) -> None:
        """Send replies in order (consecutive plain texts as one message), after the first `skip`
        pieces, each platform call inside `pace()`."""
        combined = combine_texts(replies, limit=TEXT_LIMIT, size=self._size)
        pieces = render_numbered(combined, self._t, limit=TEXT_LIMIT)
        for index, piece in enumerate(pieces[skip:], start=skip):
            previous = pieces[index - 1] if index else None
            try:
                if self._unlinkable(piece) and self._unlinkable(previous):
                    # the pages of an album this server cannot link: said once, not per page
                    if isinstance(piece, ZaloImage) and piece.caption:
                        await self._text(user_id, piece.caption, pace)
                    continue
                await self._send_piece(user_id, piece, pace)
            except ZaloBotError as error:
                raise delivery_error(error).after(index) from error

    def _unlinkable(self, piece: ZaloPiece | None) -> bool:
        """An image Zalo cannot be given (no URL, and no PUBLIC_BASE_URL to serve it from)."""
        return isinstance(piece, ZaloImage) and not piece.url and not self._media.enabled

    def _size(self, reply: Text) -> int:
        """How long a text is once its choices are written out as a numbered list."""
        return len(text_with_choices(reply, numbered_list=True, t=self._t))

    async def _call(self, method: str, payload: dict[str, Any], pace: Pace | None) -> None:
        """One sending call, at the chat's pace."""
        async with pace() if pace is not None else nullcontext():
            await self.client.call(method, payload)

    async def typing(self, chat_id: str) -> None:
        """Show "typing…" (best effort)."""
        try:
            await self.client.call(
                "sendChatAction", {"chat_id": chat_id, "action": "typing"}, read_timeout=3.0
            )
        except ZaloBotError as error:
            log.debug("chat action failed: %s", error)

    @staticmethod
    def _owner(chat_id: str) -> str:
        """Whom a stored file was sent to, so that their erasure removes it (MediaStore.forget)."""
        return f"{CHANNEL}:{chat_id}"

    async def _send_piece(self, chat_id: str, piece: ZaloPiece, pace: Pace | None) -> None:
        if isinstance(piece, ZaloText):
            await self._text(chat_id, piece.text, pace)
        elif isinstance(piece, ZaloImage):
            url = piece.url or (
                self._media.put(piece.data, piece.file_name, owner=self._owner(chat_id))
                if self._media.enabled
                else ""
            )
            if not url:
                await self._text(
                    chat_id,
                    "\n\n".join(
                        filter(None, [self._t("channels.image_not_available"), piece.caption])
                    ),
                    pace,
                )
                return
            caption = piece.caption if len(piece.caption) <= TEXT_LIMIT else ""
            await self._call(
                "sendPhoto",
                {"chat_id": chat_id, "photo": url, **({"caption": caption} if caption else {})},
                pace,
            )
            if piece.caption and not caption:
                await self._text(chat_id, piece.caption, pace)
        elif isinstance(piece, ZaloFile):
            if piece.url:
                line = self._t("channels.file_link", name=piece.file_name, url=piece.url)
            elif self._media.enabled and piece.data:
                url = self._media.put(piece.data, piece.file_name, owner=self._owner(chat_id))
                line = self._t("channels.file_link", name=piece.file_name, url=url)
            else:
                line = self._t("channels.file_not_available", name=piece.file_name)
            await self._text(chat_id, "\n\n".join(filter(None, [piece.caption, line])), pace)

    async def _text(self, chat_id: str, text: str, pace: Pace | None) -> None:
        for part in split_text(text, TEXT_LIMIT):
            await self._call("sendMessage", {"chat_id": chat_id, "text": part}, pace)
