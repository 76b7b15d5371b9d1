"""Typed settings, read from the environment and an optional `.env` file.

Settings are built by `get_settings()` when the application starts, never at import time, so that
tests and tools can build their own.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.messages.address import parse_address_form
from bot.storage.timeouts import Timeouts


class Settings(BaseSettings):
    """Every setting of the bot; the README lists them with their defaults."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        # `TELEGRAM_BOT_TOKEN=` (in the environment or .env) means "not set", not an empty token.
        env_ignore_empty=True,
    )

    # Storage
    data_dir: Path = Field(Path("data"), description="Folder for the SQLite file and uploads.")
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means SQLite at DATA_DIR/cdsbot.db."
    )
    db_connect_timeout_seconds: float = Field(
        5.0, description="Seconds to open a database connection before giving up (0: no limit)."
    )
    db_statement_timeout_seconds: float = Field(
        10.0, description="Seconds one SQL statement may run, waits on locks included (0: none)."
    )
    db_pool_timeout_seconds: float = Field(
        5.0, description="Seconds to wait for a free pooled database connection."
    )
    sqlite_busy_timeout_seconds: float = Field(
        5.0, description="Seconds SQLite waits for another writer before giving up."
    )
    health_timeout_seconds: float = Field(
        2.0, description="Seconds /healthz waits for the database before answering 503."
    )
    # Locale
    timezone: str = Field(
        "Asia/Ho_Chi_Minh", description="Time zone for dates shown and due times."
    )
    address_form: str = Field(
        "anh/chị", description="How the bot addresses people: anh/chị, or bạn (also: ban)."
    )
    # Web chat and webhooks
    web_host: str = Field("127.0.0.1", description="Address the web server listens on.")
    web_port: int = Field(8080, description="Port the web server listens on.")
    web_workers: int = Field(
        1,
        ge=1,
        description="Web server processes (`cdsbot serve --workers`); over 1 needs PostgreSQL.",
    )
    public_base_url: str = Field(
        "", description="Public HTTPS base URL of this server (for webhooks and file links)."
    )
    web_session_ttl_days: int = Field(30, description="Days an idle web-chat session stays valid.")
    web_sessions_per_client: int = Field(
        30,
        description="New web-chat sessions one client network may open per window (0: no limit).",
    )
    web_session_window_minutes: int = Field(
        60, description="Length of the window for WEB_SESSIONS_PER_CLIENT, in minutes."
    )
    web_trusted_proxies: str = Field(
        "127.0.0.1",
        description="Proxies whose X-Forwarded-For gives the client address (comma list, or *).",
    )
    max_text_length: int = Field(4000, description="Longest text accepted in one message.")
    max_request_bytes: int = Field(
        262_144, description="Largest request body on any route (bytes); larger ones get 413."
    )
    request_body_seconds: float = Field(
        10.0, description="Seconds a client has to send a whole request body (else 408)."
    )
    request_header_seconds: float = Field(
        10.0, description="Seconds a client has to send a request's headers (else disconnected)."
    )
    # Telegram
    telegram_bot_token: SecretStr | None = Field(None, description="Token from @BotFather.")
    telegram_webhook_url: str = Field("", description="Empty: long polling; else webhook URL.")
    telegram_webhook_secret: SecretStr | None = Field(
        None, description="Secret checked in X-Telegram-Bot-Api-Secret-Token."
    )
    telegram_api_base_url: str = Field(
        "https://api.telegram.org/bot", description="Bot API base URL (tests, self-hosted API)."
    )
    telegram_rate_per_second: float = Field(
        30.0,
        description="Telegram's own limit of messages per second, all chats together: no "
        "second at Telegram holds more, from all processes.",
    )
    telegram_rate_per_chat: float = Field(1.0, description="Telegram messages per second per chat.")
    telegram_allow_paid_broadcast: bool = Field(False, description="Use paid broadcasts.")
    telegram_webhook_answers: Literal["auto", "on", "off"] = Field(
        "auto",
        description="A one-message reply as the webhook's answer: auto = in one-process "
        "deployments (the pace is not shared), on, off.",
    )
    # Zalo Bot Platform
    zalo_bot_token: SecretStr | None = Field(None, description="Token from Zalo Bot Creator.")
    zalo_bot_webhook_url: str = Field("", description="Empty: long polling; else webhook URL.")
    zalo_bot_webhook_secret: SecretStr | None = Field(
        None, description="Secret checked in X-Bot-Api-Secret-Token (8–256 characters)."
    )
    zalo_bot_api_base_url: str = Field(
        "https://bot-api.zaloplatforms.com/bot", description="Zalo Bot API base URL."
    )
    zalo_rate_per_second: float = Field(10.0, description="Overall Zalo send rate.")
    zalo_rate_per_chat: float = Field(1.0, description="Zalo messages per second per chat.")
    # Zalo Official Account
    zalo_oa_app_id: str = Field("", description="Zalo app id of the Official Account.")
    zalo_oa_secret_key: SecretStr | None = Field(None, description="OA secret key (signatures).")
    zalo_oa_app_secret: SecretStr | None = Field(None, description="App secret (token refresh).")
    zalo_oa_refresh_token: SecretStr | None = Field(
        None, description="First refresh token; later ones are kept in the database."
    )
    zalo_oa_api_base_url: str = Field("https://openapi.zalo.me", description="OA API base URL.")
    zalo_oa_oauth_base_url: str = Field(
        "https://oauth.zaloapp.com", description="OA OAuth base URL."
    )
    zalo_oa_text_limit: int = Field(
        500, description="Characters per OA text message (unconfirmed)."
    )
    zalo_oa_webhook_path: str = Field(
        "/webhook/zalo-oa", description="Path of the OA webhook route (full URL: in the Zalo app)."
    )
    zalo_oa_event_max_age_seconds: int = Field(
        3600, description="Zalo OA events signed with a timestamp further from now are refused."
    )
    zalo_oa_window_hours: int = Field(
        48, description="Hours after a person's last message when the OA may still write (48–168)."
    )
    # Quizzes
    quiz_question_seconds: int = Field(
        60, description="Seconds to answer one quiz question (checked on the server)."
    )
    # Knowledge base
    content_dir: Path | None = Field(
        None, description="Folder of the knowledge-base files; empty means the shipped bot/content."
    )
    content_check_seconds: float = Field(
        5.0, description="How often (seconds, at most) a running bot checks for reloaded content."
    )
    questions_keep_days: int = Field(
        180,
        gt=0,
        description="Days a declined question (masked) is kept for editors, then deleted.",
    )
    # Retention (docs/SECURITY.md; run by the scheduler's hourly housekeeping)
    conversation_keep_days: int = Field(
        30, gt=0, description="Days an abandoned flow (step and form data) is kept, then deleted."
    )
    outbox_keep_days: int = Field(
        90, gt=0, description="Days a sent or given-up outbox message is kept, then deleted."
    )
    replies_keep_hours: int = Field(
        48, gt=0, description="Hours a turn's replies are kept for a redelivery of its update."
    )
    processed_events_keep_days: int = Field(
        7, gt=0, description="Days a processed update id is kept (platform redeliveries)."
    )
    # Nominations
    nomination_max_attachments: int = Field(
        5, description="Photos or documents one nomination may carry as evidence."
    )
    nomination_max_attachment_mb: int = Field(
        20, description="Largest evidence file in MB (Telegram bots cannot fetch more than 20 MB)."
    )
    # Scheduler and reminders
    scheduler_enabled: bool = Field(True, description="Run the sweep and sender jobs.")
    quiet_hours_start: int = Field(21, description="Hour (local) after which pushes wait.")
    quiet_hours_end: int = Field(7, description="Hour (local) before which pushes wait.")
    reminder_morning_hour: int = Field(8, description="Local hour of the due-day reminder.")
    sweep_interval_seconds: float = Field(60.0, description="How often due reminders are swept.")
    sender_interval_seconds: float = Field(1.0, description="How often the outbox is checked.")
    sender_concurrency: int = Field(16, description="Messages in flight per sender process.")
    outbox_lease_seconds: float = Field(
        120.0, description="How long a sender holds a claimed message before others may retry it."
    )
    outbox_max_attempts: int = Field(8, description="Failed sends of one message before giving up.")
    retry_base_seconds: float = Field(2.0, description="First backoff after a 5xx or time-out.")
    retry_cap_seconds: float = Field(600.0, description="Longest backoff between two attempts.")
    nudges_enabled: bool = Field(True, description="Send weekly quiz-progress nudges.")
    nudge_weekday: int = Field(0, description="Weekday of the nudges (0 = Monday).")
    nudge_hour: int = Field(9, description="Local hour of the weekly nudges.")
    tip_default_hour: int = Field(8, description="Default local hour of the daily tip.")
    # Web console (/admin)
    admin_secret_key: SecretStr | None = Field(
        None, description="Key that signs console cookies; empty: one kept in the database."
    )
    admin_link_minutes: int = Field(10, description="Minutes a /dangnhapweb link stays valid.")
    admin_session_hours: int = Field(8, description="Hours an idle console session stays valid.")
    # Logging and monitoring
    log_level: str = Field("INFO", description="Python logging level.")
    log_format: Literal["text", "json"] = Field(
        "text", description="text: one readable line; json: one JSON object per line."
    )
    metrics_token: SecretStr | None = Field(
        None, description="Bearer token for /metrics; empty: only on a private WEB_HOST."
    )

    @field_validator("telegram_webhook_secret", "zalo_bot_webhook_secret")
    @classmethod
    def _secret_not_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() in {"changethis", "change-me", ""}:
            raise ValueError("đặt một giá trị bí mật thật, không dùng giá trị mẫu")
        return value

    @field_validator("log_format", mode="before")
    @classmethod
    def _lower_log_format(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("address_form")
    @classmethod
    def _known_address_form(cls, value: str) -> str:
        return parse_address_form(value)

    @property
    def db_timeouts(self) -> Timeouts:
        """The database time-outs, for `Database.from_url`."""
        return Timeouts(
            connect=self.db_connect_timeout_seconds,
            statement=self.db_statement_timeout_seconds,
            pool=self.db_pool_timeout_seconds,
            busy=self.sqlite_busy_timeout_seconds,
        )

    @cached_property
    def tz(self) -> ZoneInfo:
        """The configured time zone."""
        return ZoneInfo(self.timezone)

    @property
    def console_base_url(self) -> str:
        """Where people open the console: PUBLIC_BASE_URL, else this server's own address."""
        if self.public_base_url:
            return self.public_base_url.rstrip("/")
        return f"http://{self.web_host}:{self.web_port}"

    @property
    def resolved_database_url(self) -> str:
        """The database URL, defaulting to an SQLite file in the data directory."""
        if self.database_url:
            url = self.database_url
            if url.startswith("postgres://"):
                url = "postgresql+asyncpg://" + url.removeprefix("postgres://")
            elif url.startswith("postgresql://"):
                url = "postgresql+asyncpg://" + url.removeprefix("postgresql://")
            elif url.startswith("sqlite://"):
                url = "sqlite+aiosqlite://" + url.removeprefix("sqlite://")
            return url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'cdsbot.db').as_posix()}"


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
