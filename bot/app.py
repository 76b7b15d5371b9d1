"""The composition root: settings → database → services → router → engine, built once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.channels.media import MediaStore
from bot.config import Settings
from bot.content.store import keep_indexes_in
from bot.core.clock import Clock, SystemClock
from bot.core.engine import Engine
from bot.core.notify import Notifier
from bot.core.replies import Notice
from bot.handlers import build_router
from bot.logs import SecretRedactingFilter, configure_logging
from bot.messages import Catalog, load_catalog
from bot.observability import metrics
from bot.services.container import Services, build_services
from bot.storage.db import Database
from bot.storage.state_store import SqlStateStore

__all__ = ["BotApp", "SecretRedactingFilter", "configure_logging"]


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
        # A restart reads the knowledge base index back instead of building it (bot.content.store).
        keep_indexes_in(settings.data_dir / "cache")
        db = Database.from_url(settings.resolved_database_url, timeouts=settings.db_timeouts)
        services = build_services(settings=settings, db=db, clock=clock)
        services.users.after_erasure(MediaStore.from_settings(settings).forget)
        catalog = load_catalog(settings.address_form)
        engine = Engine(
            router=build_router(),
            services=services,
            store=SqlStateStore(db, clock),
            catalog=catalog,
            clock=clock,
            max_text_length=settings.max_text_length,
            notifier=services.reminders.notifier,
            observer=metrics.count_turn,
        )
        metrics.watch_pool(db.engine)
        return cls(settings, db, services, engine, services.reminders.notifier, catalog)

    async def deliver_notices(self, notices: Sequence[Notice]) -> None:
        """Queue notices made outside a turn (the engine queues a turn's notices itself, in the
        turn's transaction)."""
        if notices:
            await self.notifier.deliver(notices)

    async def warm_up(self) -> None:
        """Load what the first question would otherwise load (the knowledge base's index and the
        word segmenter: seconds), before the process says it is ready."""
        await self.services.knowledge.warm_up()

    async def close(self) -> None:
        """Release the database pool."""
        await self.db.close()
