"""Conversation state: where a person is in a flow, kept in the database across restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.messages import Catalog


@dataclass(frozen=True, slots=True)
class ConversationKey:
    """Whose conversation: a channel and the person's id on it."""

    channel: str
    user_id: str


@dataclass(slots=True)
class ConversationState:
    """The step a person is at (a StrEnum value such as "reg.name"), the flow's data so far, and
    the buttons last offered (so that "2" or a typed label can answer them on any channel)."""

    step: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    menu: list[list[str]] = field(default_factory=list)  # [[label, action], ...]
    version: int = 0


class StaleState(RuntimeError):
    """Someone else saved this conversation since it was read (a concurrent message)."""


class StateStore(Protocol):
    """Saves conversation state, and gives back a claimed update when handling it failed.

    Loading happens together with the person's profile, atomically
    (`UserService.begin_turn`), because that is the hot path of every event.
    """

    async def save(self, key: ConversationKey, state: ConversationState) -> None: ...

    async def release(self, key: ConversationKey, event_key: str) -> None: ...


def flow_of(step: str) -> str:
    """The flow a step belongs to ("nom.unit" → "nom"), as the router groups steps."""
    return step.split(".", 1)[0]


def flow_name(t: Catalog, step: str) -> str:
    """The open flow's name as people read it ("Gửi đề cử"), from the catalog's `flows.names`."""
    key = f"flows.names.{flow_of(step)}"
    return t(key) if t.has(key) else t("flows.unknown")
