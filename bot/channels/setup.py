"""The platform channels configured in the settings, started and stopped with the web server."""

from __future__ import annotations

import logging
from typing import Protocol

from fastapi import APIRouter, FastAPI

from bot.app import BotApp
from bot.channels.credentials import CredentialsRefused
from bot.channels.media import MediaStore
from bot.core.notify import ChannelSender

log = logging.getLogger(__name__)


class PlatformChannel(Protocol):
    """What every platform adapter offers to the server."""

    @property
    def name(self) -> str: ...

    @property
    def sender(self) -> ChannelSender: ...

    @property
    def webhook_mode(self) -> bool: ...

    def router(self) -> APIRouter: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class ChannelSet:
    """Telegram, Zalo Bot and Zalo OA, each present when its token or app is configured."""

    def __init__(self, app: BotApp, channels: list[PlatformChannel]) -> None:
        self.app = app
        self.channels = channels
        self.refused: dict[str, str] = {}  # channel name → why it did not start

    @classmethod
    def from_app(cls, app: BotApp) -> ChannelSet:
        """Build the configured channels and make them reachable for notices."""
        from bot.channels.telegram_channel import TelegramChannel
        from bot.channels.zalo_bot import ZaloBotChannel
        from bot.channels.zalo_oa import ZaloOaChannel

        channels: list[PlatformChannel] = [
            channel
            for channel in (
                TelegramChannel.from_app(app),
                ZaloBotChannel.from_app(app),
                ZaloOaChannel.from_app(app),
            )
            if channel is not None
        ]
        register = getattr(app.notifier, "register", None)  # a SenderRegistry (the outbox)
        if callable(register):
            for channel in channels:
                register(channel.name, channel.sender)
        return cls(app, channels)

    def get(self, name: str) -> PlatformChannel | None:
        """A configured channel by name."""
        return next((c for c in self.channels if c.name == name), None)

    def mount(self, api: FastAPI) -> None:
        """Add the webhook routes of the channels that receive by webhook, and the media links."""
        settings = self.app.settings
        if settings.public_base_url:
            api.include_router(MediaStore.from_settings(settings).router())
        for channel in self.channels:
            if channel.webhook_mode:
                api.include_router(channel.router())

    async def start(self) -> None:
        """Set commands and webhooks, start polling loops and background workers. A channel
        whose token is refused for good is not started: its line (Vietnamese, naming the
        setting) is logged and kept in `refused`, and the other channels start."""
        for channel in self.channels:
            log.info(
                "starting channel %s (%s)",
                channel.name,
                "webhook" if channel.webhook_mode else "polling",
            )
            try:
                await channel.start()
            except CredentialsRefused as refusal:
                self.refused[channel.name] = self.app.catalog(refusal.key)
                log.error("%s", self.refused[channel.name])

    def states(self) -> dict[str, str]:
        """Each configured channel's state for /healthz: "started" or "refused"."""
        return {
            channel.name: "refused" if channel.name in self.refused else "started"
            for channel in self.channels
        }

    async def stop(self) -> None:
        """Stop every channel, in reverse order."""
        for channel in reversed(self.channels):
            await channel.stop()
