"""Conversation state: where a person is in a flow, kept in the database across restarts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol


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
    """Loads and saves conversation state."""

    async def load(self, key: ConversationKey) -> ConversationState: ...

    async def save(self, key: ConversationKey, state: ConversationState) -> None: ...

    async def claim(self, key: ConversationKey, event_key: str) -> bool: ...

    async def release(self, key: ConversationKey, event_key: str) -> None: ...


class MemoryStateStore:
    """State kept in a dict: for unit tests of handlers only."""

    def __init__(self) -> None:
        self._states: dict[ConversationKey, ConversationState] = {}
        self._claimed: set[tuple[str, str]] = set()

    async def load(self, key: ConversationKey) -> ConversationState:
        stored = self._states.get(key)
        if stored is None:
            return ConversationState()
        return ConversationState(stored.step, dict(stored.data), list(stored.menu), stored.version)

    async def save(self, key: ConversationKey, state: ConversationState) -> None:
        current = self._states.get(key)
        if (current.version if current else 0) != state.version:
            raise StaleState(key)
        state.version += 1
        self._states[key] = ConversationState(state.step, dict(state.data), list(state.menu),
                                              state.version)

    async def claim(self, key: ConversationKey, event_key: str) -> bool:
        marker = (key.channel, event_key)
        if marker in self._claimed:
            return False
        self._claimed.add(marker)
        return True

    async def release(self, key: ConversationKey, event_key: str) -> None:
        self._claimed.discard((key.channel, event_key))
