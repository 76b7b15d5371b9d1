"""The message catalog: every user-facing string, by key, in Vietnamese."""

from bot.messages.catalog import Catalog, load_catalog

__all__ = ["Catalog", "load_catalog"]
