"""Vietnamese labels for nominations, shared by the chat screens and the spreadsheet export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.core.clock import fmt_datetime
from bot.messages import Catalog
from bot.messages.numbers import file_size
from bot.nominations.types import (
    Action,
    AttachmentView,
    Category,
    Contact,
    HistoryEntry,
    Status,
    SupporterView,
)


def category_label(t: Catalog, category: Category) -> str:
    """ "Cá nhân tiêu biểu", "Tập thể tiêu biểu" or "Sáng kiến chuyển đổi số"."""
    return t(f"nominate.category.{category.value}")


def status_label(t: Catalog, status: Status) -> str:
    """Where the nomination is in the review, in words."""
    return t(f"nominate.status.{status.value}")


def action_label(t: Catalog, action: Action) -> str:
    """A history entry's action, in words."""
    return t(f"nominate.action.{action.value}")


def channel_label(t: Catalog, channel: str) -> str:
    """The channel's name as people know it."""
    key = f"nominate.channel.{channel}"
    return t(key) if t.has(key) else channel


def contact_line(t: Catalog, contact: Contact | None) -> str:
    """Who a nominator is, from the snapshot of their profile."""
    if contact is None:
        return t("nominate.contact.erased")
    channel = channel_label(t, contact.channel)
    if contact.full_name:
        details = ", ".join(part for part in (contact.position, contact.unit_name) if part)
        return t("nominate.contact.staff", name=contact.full_name, details=details, channel=channel)
    return t("nominate.contact.citizen", channel=channel)


def attachment_line(t: Catalog, item: AttachmentView) -> str:
    """One piece of evidence: its kind, name, size and channel."""
    size = file_size(item.size) if item.size else ""
    kind = (
        t(f"nominate.file_kind.{item.kind}")
        if t.has(f"nominate.file_kind.{item.kind}")
        else item.kind
    )
    parts = [kind, item.file_name or "", size, channel_label(t, item.channel)]
    return " · ".join(part for part in parts if part)


def history_line(t: Catalog, entry: HistoryEntry, tz: ZoneInfo) -> str:
    """One line of a nomination's history: when, what, who and why."""
    line = f"{fmt_datetime(entry.at, tz)} — {action_label(t, entry.action)}"
    if entry.actor:
        line += f" ({entry.actor})"
    if entry.note:
        line += f": {entry.note}"
    return line


def supporter_line(t: Catalog, index: int, supporter: SupporterView, tz: ZoneInfo) -> str:
    """A supporter with their reason."""
    return t(
        "nominate.supporter_line",
        index=index,
        contact=contact_line(t, supporter.contact),
        date=fmt_datetime(supporter.at, tz),
        name=supporter.nominee_name,
        reason=supporter.reason,
        results=supporter.results or "—",
        files=len(supporter.attachments),
    )
