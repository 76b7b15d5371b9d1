"""Every platform client of a process verifies TLS with one shared context (bot.channels.tls):
building a context loads the certificate authorities (about 30 ms of CPU), and `serve` built
four of them before its first answer."""

from __future__ import annotations

import ssl
from pathlib import Path

from bot.channels.telegram import build_bot
from bot.channels.tls import shared_context
from bot.channels.zalo_bot_api import ZaloBotClient
from bot.config import get_settings


def _context_of(client: object) -> ssl.SSLContext:
    return client._transport._pool._ssl_context  # type: ignore[attr-defined]


def test_every_platform_client_shares_one_verifying_context(tmp_path: Path) -> None:
    settings = get_settings(
        _env_file=None, data_dir=tmp_path, telegram_bot_token="1234:abc", zalo_bot_token="5:x"
    )
    bots = [build_bot(settings), build_bot(settings)]
    contexts = [
        _context_of(request._client)  # type: ignore[attr-defined]
        for bot in bots
        for request in (bot.request, bot._request[0])  # updates, everything else
    ]
    contexts.append(_context_of(ZaloBotClient.from_settings(settings).http))
    assert all(context is shared_context() for context in contexts)
    assert shared_context().verify_mode == ssl.CERT_REQUIRED and shared_context().check_hostname
