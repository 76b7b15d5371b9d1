"""The composition root of the business layer: every service, built once from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.config import Settings
from bot.content.desk import KnowledgeDesk
from bot.content.service import KnowledgeService
from bot.core.clock import Clock
from bot.messages import load_catalog
from bot.nominations.service import NominationService, erase_nominator, export_nominations
from bot.quiz.service import QuizService, erase_quiz_data, export_quiz_data
from bot.scheduler.service import ReminderService
from bot.services.channels import ChannelStateService
from bot.services.console import ConsoleAccessService
from bot.services.staff import StaffService
from bot.services.unit_admin import UnitAdminService
from bot.services.units import UnitService
from bot.services.users import UserService
from bot.services.web_sessions import SessionQuota, WebSessionService
from bot.storage.db import Database


@dataclass(slots=True)
class Services:
    """What handlers may call. Add a feature's service here and build it in `build_services`."""

    settings: Settings
    db: Database
    clock: Clock
    users: UserService
    units: UnitService
    web_sessions: WebSessionService
    channels: ChannelStateService
    quiz: QuizService
    nominations: NominationService
    reminders: ReminderService
    knowledge: KnowledgeService
    console: ConsoleAccessService
    desk: KnowledgeDesk
    unit_admin: UnitAdminService
    staff: StaffService


def build_services(*, settings: Settings, db: Database, clock: Clock) -> Services:
    """Build every service; features register their personal-data erasers here."""
    users = UserService(db, clock)
    units = UnitService(db)
    web_sessions = WebSessionService(
        db,
        clock,
        ttl_days=settings.web_session_ttl_days,
        quota=SessionQuota(
            settings.web_sessions_per_client,
            timedelta(minutes=max(1, settings.web_session_window_minutes)),
        )
        if settings.web_sessions_per_client > 0
        else None,
    )
    quiz = QuizService(db, clock, settings)
    users.add_eraser(erase_quiz_data)
    users.add_exporter("quiz", export_quiz_data)
    nominations = NominationService(db, clock, settings)
    users.add_eraser(erase_nominator)
    users.add_exporter("nominations", export_nominations)
    reminders = ReminderService(db, clock, settings)
    reminders.connect(progress=quiz)
    users.add_eraser(reminders.erase)
    knowledge = KnowledgeService(
        db, clock, content_dir=settings.content_dir, check_every=settings.content_check_seconds
    )
    users.add_exporter("reminders", reminders.export)
    services = Services(
        settings=settings,
        db=db,
        clock=clock,
        users=users,
        units=units,
        web_sessions=web_sessions,
        channels=ChannelStateService(db, clock),
        quiz=quiz,
        nominations=nominations,
        reminders=reminders,
        knowledge=knowledge,
        desk=KnowledgeDesk(db, clock, knowledge, settings.content_dir),
        unit_admin=UnitAdminService(db, users),
        console=ConsoleAccessService(
            db,
            clock,
            link_minutes=settings.admin_link_minutes,
            session_hours=settings.admin_session_hours,
        ),
        staff=StaffService(
            db,
            clock,
            load_catalog(settings.address_form),
            reminders.quiet,
            wake=_wake(reminders),
        ),
    )
    reminders.connect(tips=services.knowledge)
    return services


def _wake(reminders: ReminderService) -> Callable[[], None]:
    """Wake this process's outbox sender (if one runs) after something was queued."""

    def wake() -> None:
        if reminders.notifier.on_queued is not None:
            reminders.notifier.on_queued()

    return wake
