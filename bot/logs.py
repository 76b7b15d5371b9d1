"""Logging for every process: one format, configured secrets redacted, routine chatter quiet.

Kept free of heavy imports so that any command can set up logging without loading the server.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.config import Settings

ROUTINE_LOGGERS = ("apscheduler",)
"""Loggers that write a line per routine job run ("Running job…", "executed successfully"): at
INFO they were ~96 % of a server's log. Kept at WARNING unless LOG_LEVEL=DEBUG."""
MIGRATION_LOGGERS = ("alembic",)
"""Alembic says which migrations ran; only `cdsbot db` wants to hear that."""
CHATTY_LIBRARIES = ("httpx",)
"""A line per HTTP request (with the token in the URL): WARNING always."""


ROUTINE_WARNINGS = (
    'Execution of job "%s" skipped: maximum number of running instances reached',
    'Run time of job "%s" was missed by',
)
"""APScheduler's warnings for a run that is still going when the next is due (the sender draining
a long broadcast): expected with one instance per job, so as routine as "Running job"."""


class RoutineSchedulerFilter(logging.Filter):
    """Drops APScheduler's routine warnings (overlapping or late runs of our interval jobs)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(ROUTINE_WARNINGS)


_ROUTINE_FILTER = RoutineSchedulerFilter()


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


def configure_logging(settings: Settings, *, migrations: bool = False) -> None:
    """Logging with secrets redacted, as readable lines or (LOG_FORMAT=json) JSON objects
    without personal data (`bot.observability.json_logs`); scheduler runs and (unless
    `migrations`) Alembic's progress lines only at LOG_LEVEL=DEBUG."""
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
            settings.metrics_token,
        )
        if value is not None
    ]
    level = logging.getLevelName(settings.log_level.upper())
    if not isinstance(level, int):
        level = logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    redactor = SecretRedactingFilter(secrets)
    json_lines = settings.log_format == "json"
    if json_lines:
        from bot.observability.json_logs import JsonFormatter
    for handler in logging.getLogger().handlers:
        handler.addFilter(redactor)
        if json_lines:
            handler.setFormatter(JsonFormatter())
    quiet_unless_debug = logging.NOTSET if level <= logging.DEBUG else logging.WARNING
    for name in ROUTINE_LOGGERS:
        logging.getLogger(name).setLevel(quiet_unless_debug)
    for name in ("apscheduler.scheduler", "apscheduler.executors.default"):
        logger = logging.getLogger(name)
        logger.removeFilter(_ROUTINE_FILTER)
        if level > logging.DEBUG:
            logger.addFilter(_ROUTINE_FILTER)
    for name in MIGRATION_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET if migrations else quiet_unless_debug)
    for name in CHATTY_LIBRARIES:
        logging.getLogger(name).setLevel(logging.WARNING)


def uvicorn_logging(settings: Settings) -> dict[str, object]:
    """uvicorn's logging options: with JSON lines, uvicorn installs no formatter of its own, so
    its lines (access log included) go through the root handler set up above."""
    return {"log_config": None} if settings.log_format == "json" else {}
