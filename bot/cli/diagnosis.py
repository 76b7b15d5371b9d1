"""The checks of `cdsbot doctor`: the database and every configured channel (token valid, webhook
set, secrets sane), each said in plain words with how to fix it. Imported only by that command."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from telegram.error import InvalidToken, TelegramError

from bot.app import BotApp
from bot.channels.credentials import (
    REFUSED_STATUSES,
    telegram_token_malformed,
    zalo_bot_token_malformed,
)
from bot.channels.telegram import build_bot
from bot.channels.zalo_bot_api import ZaloBotClient, ZaloBotError
from bot.channels.zalo_oa_api import ZaloOaClient, ZaloOaError
from bot.cli.database import sqlite_file
from bot.messages import Catalog, load_catalog
from bot.storage.migrate import head_revisions


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the report."""

    ok: bool
    message: str


async def diagnose(app: BotApp) -> list[Finding]:
    """Every check, in order: database, Telegram, Zalo Bot, Zalo OA."""
    t = load_catalog()
    settings = app.settings
    findings = [await _database(app, t)]
    if settings.telegram_bot_token is not None:
        findings += await _telegram(app, t)
    if settings.zalo_bot_token is not None:
        findings += await _zalo_bot(app, t)
    if settings.zalo_oa_app_id or settings.zalo_oa_secret_key is not None:
        findings += await _zalo_oa(app, t)
    if len(findings) == 1:
        findings.append(Finding(True, t("doctor.no_channel")))
    return findings


async def _database(app: BotApp, t: Catalog) -> Finding:
    path = sqlite_file(app.settings.resolved_database_url)
    if path is not None and not path.exists():  # connecting would create an empty file
        return Finding(False, t("doctor.db_missing", path=path.resolve()))
    try:
        async with app.db.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            current = await connection.run_sync(_revisions)
    except Exception as error:  # any failure to connect is reported, never raised
        return Finding(False, t("doctor.db_down", error=type(error).__name__))
    heads = set(head_revisions())
    if not heads <= current:
        return Finding(False, t("doctor.db_outdated"))
    return Finding(True, t("doctor.db_ok", dialect=app.db.dialect))


def _revisions(connection: Connection) -> set[str]:
    return set(MigrationContext.configure(connection).get_current_heads())


async def _telegram(app: BotApp, t: Catalog) -> list[Finding]:
    settings = app.settings
    if telegram_token_malformed(settings):  # no request: the Bot API could only say 404
        return [Finding(False, t("doctor.tg_malformed_token"))]
    bot = build_bot(settings, pool_size=2)
    url = settings.telegram_webhook_url
    try:
        me = await bot.get_me()
        info = await bot.get_webhook_info()
    except InvalidToken:
        return [Finding(False, t("doctor.tg_bad_token"))]
    except TelegramError as error:
        return [
            Finding(
                False,
                t(
                    "doctor.tg_unreachable",
                    url=settings.telegram_api_base_url,
                    error=str(error)[:120],
                ),
            )
        ]
    finally:
        await bot.shutdown()
    found = [Finding(True, t("doctor.tg_ok", username=me.username))]
    if not url:
        found.append(Finding(True, t("doctor.tg_polling")))
        if info.url:
            found.append(Finding(True, t("doctor.tg_polling_webhook_set", url=info.url)))
        return found
    if not url.startswith("https://"):
        found.append(Finding(False, t("doctor.tg_webhook_not_https")))
    if settings.telegram_webhook_secret is None:
        found.append(Finding(False, t("doctor.tg_no_secret")))
    if info.url != url:
        found.append(
            Finding(False, t("doctor.tg_webhook_missing", url=url, actual=info.url or "—"))
        )
    else:
        found.append(Finding(True, t("doctor.tg_webhook_ok", url=url)))
        if info.last_error_message:
            found.append(
                Finding(False, t("doctor.tg_webhook_error", error=info.last_error_message))
            )
    return found


async def _zalo_bot(app: BotApp, t: Catalog) -> list[Finding]:
    settings = app.settings
    if zalo_bot_token_malformed(settings):
        return [Finding(False, t("doctor.zb_malformed_token"))]
    client = ZaloBotClient.from_settings(settings)
    url = settings.zalo_bot_webhook_url
    try:
        me = await client.call("getMe")
        info = await client.call("getWebhookInfo")
    except ZaloBotError as error:
        if error.code in REFUSED_STATUSES:
            return [Finding(False, t("doctor.zb_bad_token"))]
        return [
            Finding(
                False,
                t(
                    "doctor.zb_unreachable",
                    url=settings.zalo_bot_api_base_url,
                    error=error.description[:120],
                ),
            )
        ]
    finally:
        await client.close()
    found = [Finding(True, t("doctor.zb_ok", name=(me or {}).get("account_name", "?")))]
    if not url:
        return [*found, Finding(True, t("doctor.zb_polling"))]
    if not url.startswith("https://"):
        found.append(Finding(False, t("doctor.zb_webhook_not_https")))
    secret = settings.zalo_bot_webhook_secret
    if secret is None or not 8 <= len(secret.get_secret_value()) <= 256:
        found.append(Finding(False, t("doctor.zb_bad_secret")))
    actual = (info or {}).get("url") or ""
    if actual != url:
        found.append(Finding(False, t("doctor.zb_webhook_missing", url=url, actual=actual or "—")))
    else:
        found.append(Finding(True, t("doctor.zb_webhook_ok", url=url)))
    return found


async def _zalo_oa(app: BotApp, t: Catalog) -> list[Finding]:
    settings = app.settings
    missing = [
        name
        for name, value in (
            ("ZALO_OA_APP_ID", settings.zalo_oa_app_id),
            ("ZALO_OA_SECRET_KEY", settings.zalo_oa_secret_key),
            ("ZALO_OA_APP_SECRET", settings.zalo_oa_app_secret),
        )
        if not value
    ]
    if missing:
        return [Finding(False, t("doctor.oa_missing", names=", ".join(missing)))]
    client = ZaloOaClient(settings, app.services.channels, httpx.AsyncClient(timeout=10.0))
    try:
        await client.access_token()
    except ZaloOaError as error:
        key = "doctor.oa_unreachable" if error.code is None else "doctor.oa_token_refused"
        return [Finding(False, t(key, url=settings.zalo_oa_oauth_base_url, error=error.message))]
    finally:
        await client.close()
    if not settings.public_base_url:
        return [Finding(False, t("doctor.oa_no_public_url"))]
    hook = settings.public_base_url.rstrip("/") + settings.zalo_oa_webhook_path
    return [Finding(True, t("doctor.oa_ok", url=hook))]
