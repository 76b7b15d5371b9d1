"""Conversation state: where a person is in a flow, kept in the database across restarts."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.core.replies import Reply
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
    """Where turns happen: the unit of work of one event, its conversation state, and the replies
    kept with each claimed update (so that a redelivery gets them again).

    Claiming the update and loading the state happen together with the person's profile, in the
    turn (`UserService.begin_turn`), because that is the hot path of every event.
    """

    def turn(self) -> AbstractAsyncContextManager[None]:
        """Everything stored until the block ends commits together, or nothing when it raises."""
        ...

    async def finish(
        self,
        key: ConversationKey,
        state: ConversationState | None,
        event_key: str,
        replies: list[Reply],
    ) -> None:
        """End the turn's writes: save `state` (when given; `StaleState` when someone saved the
        conversation since it was read) and keep `replies` with the claim of `event_key` (when
        there is one)."""
        ...

    async def stored_replies(self, key: ConversationKey, event_key: str) -> list[Reply] | None:
        """The replies kept with a claimed update; None when none were kept."""
        ...

    async def claim_answered(
        self, key: ConversationKey, event_key: str, replies: list[Reply]
    ) -> list[Reply]:
        """Claim an update whose turn was rolled back, with the answer given instead; when it
        was claimed meanwhile, the answer stored then (that is what was, or will be, sent)."""
        ...


def flow_of(step: str) -> str:
    """The flow a step belongs to ("nom.unit" → "nom"), as the router groups steps."""
    return step.split(".", 1)[0]


def flow_name(t: Catalog, step: str) -> str:
    """The open flow's name as people read it ("Gửi đề cử"), from the catalog's `flows.names`."""
    key = f"flows.names.{flow_of(step)}"
    return t(key) if t.has(key) else t("flows.unknown")
