"""The composition root: settings → database → services → router → engine, built once."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.config import Settings
from bot.core.clock import Clock, SystemClock
from bot.core.engine import Engine
from bot.core.notify import Notifier
from bot.core.replies import Notice
from bot.handlers import build_router
from bot.messages import Catalog, load_catalog
from bot.services.container import Services, build_services
from bot.storage.db import Database
from bot.storage.state_store import SqlStateStore


@dataclass(slots=True)
class BotApp:
    """Everything a running bot needs, shared by every channel in the process."""

    settings: Settings
    db: Database
    services: Services
    engine: Engine
    notifier: Notifier  # the outbox (bot.scheduler): notices are retried, paced and never lost
    catalog: Catalog  # the messages, in the configured address form (channels use it too)

    @classmethod
    def build(cls, settings: Settings, *, clock: Clock | None = None) -> BotApp:
        """Wire the parts together (no I/O happens until the first event)."""
        clock = clock or SystemClock()
        db = Database.from_url(settings.resolved_database_url)
        services = build_services(settings=settings, db=db, clock=clock)
        catalog = load_catalog(settings.address_form)
        engine = Engine(
            router=build_router(),
            services=services,
            store=SqlStateStore(db, clock),
            catalog=catalog,
            clock=clock,
            max_text_length=settings.max_text_length,
            notifier=services.reminders.notifier,
        )
        return cls(settings, db, services, engine, services.reminders.notifier, catalog)

    async def deliver_notices(self, notices: Sequence[Notice]) -> None:
        """Queue notices made outside a turn (the engine queues a turn's notices itself, in the
        turn's transaction)."""
        if notices:
            await self.notifier.deliver(notices)

    async def close(self) -> None:
        """Release the database pool."""
        await self.db.close()


class SecretRedactingFilter(logging.Filter):
    """Keeps configured secrets out of every log line (tokens appear in Bot API URLs)."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            message = record.getMessage()
            for secret in self._secrets:
                message = message.replace(secret, "***")
            record.msg, record.args = message, ()
        return True


def configure_logging(settings: Settings) -> None:
    """Plain logging with secrets redacted."""
    secrets = [
        value.get_secret_value()
        for value in (
            settings.telegram_bot_token,
            settings.telegram_webhook_secret,
            settings.zalo_bot_token,
            settings.zalo_bot_webhook_secret,
            settings.zalo_oa_secret_key,
            settings.zalo_oa_app_secret,
            settings.zalo_oa_refresh_token,
        )
        if value is not None
    ]
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    redactor = SecretRedactingFilter(secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
    logging.getLogger("httpx").setLevel(logging.WARNING)
