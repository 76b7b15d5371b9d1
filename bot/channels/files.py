"""Fetching a file a person sent (nomination evidence) back from its platform, so the council can
open it in the web console: Telegram keeps files behind file ids (getFile), Zalo sends URLs."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlparse

import httpx

from bot.config import Settings

MAX_BYTES = 25 * 1024 * 1024
"""Larger than any evidence file the bot accepts (NOMINATION_MAX_ATTACHMENT_MB, 20 by default)."""


class FileUnavailable(Exception):
    """The platform no longer has the file, refused it, or the channel is not configured."""


@dataclass(frozen=True, slots=True)
class FetchedFile:
    """A file's bytes and what the platform said it is."""

    data: bytes
    mime_type: str


async def fetch(settings: Settings, channel: str, ref: str) -> FetchedFile:
    """The bytes behind an attachment reference of `channel`."""
    if channel == "telegram":
        return await _telegram(settings, ref)
    if channel in ("zalo_bot", "zalo_oa"):
        return await _download(ref)
    raise FileUnavailable(channel)


async def _telegram(settings: Settings, file_id: str) -> FetchedFile:
    from telegram.error import TelegramError  # the console imports PTB only when it needs it

    from bot.channels.telegram import build_bot

    if settings.telegram_bot_token is None:
        raise FileUnavailable("telegram")
    bot = build_bot(settings, pool_size=2)
    try:
        async with bot:
            found = await bot.get_file(file_id)
            if found.file_size and found.file_size > MAX_BYTES:
                raise FileUnavailable("too large")
            data = bytes(await found.download_as_bytearray())
    except TelegramError as error:
        raise FileUnavailable(str(error)) from error
    return FetchedFile(data, "application/octet-stream")


async def _download(url: str) -> FetchedFile:
    """Zalo hands out file URLs on its CDN; only http(s) URLs are fetched, with a size bound."""
    if urlparse(url).scheme not in ("https", "http"):
        raise FileUnavailable("not a URL")
    try:
        async with (
            httpx.AsyncClient(timeout=20.0, follow_redirects=True) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise FileUnavailable(f"HTTP {response.status_code}")
            chunks, size = [], 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise FileUnavailable("too large")
                chunks.append(chunk)
            mime = response.headers.get("content-type", "application/octet-stream")
    except httpx.HTTPError as error:
        raise FileUnavailable(type(error).__name__) from error
    return FetchedFile(b"".join(chunks), mime.split(";")[0].strip())
