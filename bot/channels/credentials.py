"""A platform token refused for good, told apart from a platform that cannot be reached for now.

A token of the wrong shape (checked here, before any request: PTB itself refuses only an empty
one, and a token with a space or a control character would otherwise surface as an HTTP library
error) or one the platform answers 401/403/404 will not start working by retrying, so the channel
is not started and the operator is told, in one Vietnamese line, which setting to fix:

- `cdsbot serve` checks the configured tokens before it listens (`refusals`) and stops with that
  line and exit 1: the operator asked for the channel, and a bot that answers on the web while its
  Telegram is silently dead is the worse failure;
- a server started otherwise (tests, another host) keeps the web chat and its other channels;
  `ChannelSet` logs the line and shows the channel as refused at /healthz;
- `cdsbot doctor` reports it as a failed check.

A network failure is not a refusal: the channel starts and retries, as before.
"""

from __future__ import annotations

import re

from bot.config import Settings

TELEGRAM_TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")
"""@BotFather's tokens: the bot's numeric id, a colon, then letters, digits, `_` and `-`."""
ZALO_BOT_TOKEN = re.compile(r"[^\s:]+:\S+")
"""Zalo Bot tokens are `<bot_id>:<secret>` (DOMAIN.md); the secret's alphabet is not documented,
so only the colon and the absence of white space are checked."""
REFUSED_STATUSES = frozenset({401, 403, 404})
"""How the Bot APIs answer a wrong token (401) or a malformed one (404: no such path)."""


class CredentialsRefused(Exception):
    """A channel's token is wrong for good; `key` names its catalog line (`channels.refused.*`)."""

    def __init__(self, channel: str, key: str) -> None:
        super().__init__(f"{channel}: {key}")
        self.channel, self.key = channel, key


def telegram_token_malformed(settings: Settings) -> bool:
    """Whether TELEGRAM_BOT_TOKEN is set but cannot be a Bot API token."""
    token = settings.telegram_bot_token
    return token is not None and not TELEGRAM_TOKEN.fullmatch(token.get_secret_value())


def zalo_bot_token_malformed(settings: Settings) -> bool:
    """Whether ZALO_BOT_TOKEN is set but cannot be a Zalo Bot token."""
    token = settings.zalo_bot_token
    return token is not None and not ZALO_BOT_TOKEN.fullmatch(token.get_secret_value())


async def verify_telegram(settings: Settings) -> None:
    """Raise `CredentialsRefused` when the token is malformed or the Bot API refuses it (getMe).
    Any other failure (network, 5xx) is left to the channel's retries."""
    from telegram.error import InvalidToken, TelegramError

    from bot.channels.telegram import CHANNEL, build_bot

    if telegram_token_malformed(settings):
        raise CredentialsRefused(CHANNEL, "channels.refused.telegram_malformed")
    bot = build_bot(settings, pool_size=1)
    try:
        await bot.get_me()
    except InvalidToken as error:  # PTB's name for a 401 or 404 answer
        raise CredentialsRefused(CHANNEL, "channels.refused.telegram_refused") from error
    except TelegramError:
        return
    finally:
        await bot.shutdown()


async def verify_zalo_bot(settings: Settings) -> None:
    """Raise `CredentialsRefused` when the Zalo Bot token is malformed or refused (getMe)."""
    from bot.channels.zalo_bot_api import CHANNEL, ZaloBotClient, ZaloBotError

    if zalo_bot_token_malformed(settings):
        raise CredentialsRefused(CHANNEL, "channels.refused.zalo_bot_malformed")
    client = ZaloBotClient.from_settings(settings)
    try:
        await client.call("getMe")
    except ZaloBotError as error:
        if error.code in REFUSED_STATUSES:
            raise CredentialsRefused(CHANNEL, "channels.refused.zalo_bot_refused") from error
    finally:
        await client.close()


async def refusals(settings: Settings) -> list[CredentialsRefused]:
    """The configured channels whose tokens are refused for good (empty when all may start)."""
    found: list[CredentialsRefused] = []
    checks = []
    if settings.telegram_bot_token is not None:
        checks.append(verify_telegram)
    if settings.zalo_bot_token is not None:
        checks.append(verify_zalo_bot)
    for check in checks:
        try:
            await check(settings)
        except CredentialsRefused as refused:
            found.append(refused)
    return found
