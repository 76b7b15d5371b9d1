"""`cdsbot ask`: registered here for `cdsbot --help`; the console script runs it via `bot.entry`."""

from __future__ import annotations

from bot.content.console import ask

__all__ = ["ask"]
