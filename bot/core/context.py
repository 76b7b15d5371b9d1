"""What a handler is given: the event, the person, their conversation state and the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.core.choices import TYPED_CHOICE_CHANNELS
from bot.core.clock import Clock
from bot.core.events import IncomingEvent
from bot.core.replies import Notice, Reply
from bot.core.state import ConversationState
from bot.messages import Catalog

if TYPE_CHECKING:
    from bot.services.container import Services
    from bot.services.users import Profile


@dataclass(slots=True)
class Context:
    """One turn of a conversation. Handlers change `state` through `goto`/`finish` and return
    their replies; they never hold a database session."""

    event: IncomingEvent
    user: Profile
    state: ConversationState
    services: Services
    t: Catalog
    clock: Clock
    notices: list[Notice] = field(default_factory=list)
    forgotten: bool = False  # the person's data was erased: the engine must not save the state

    def goto(self, step: str, **data: Any) -> None:
        """Move to `step`, adding `data` to what the flow has collected so far."""
        self.state.step = step
        self.state.data.update(data)

    def start_flow(self, step: str, **data: Any) -> None:
        """Begin a new flow: forget the previous flow's data."""
        self.state.step = step
        self.state.data = dict(data)

    def finish(self) -> None:
        """Leave any flow."""
        self.state.step = None
        self.state.data = {}

    def forget_conversation(self) -> None:
        """The person's data (conversation included) was just erased: keep no state of it."""
        self.finish()
        self.forgotten = True

    def notify(self, channel: str, user_id: str, *replies: Reply) -> None:
        """Queue a message for someone else (delivered by the channel layer or the outbox)."""
        self.notices.append(Notice(channel, user_id, tuple(replies)))

    @property
    def choices_typed(self) -> bool:
        """Whether this person's channel shows no buttons, so choices are typed."""
        return self.event.channel in TYPED_CHOICE_CHANNELS

    def tc(self, key: str, /, **values: Any) -> str:
        """The catalog message `key` worded for this person's channel: where choices are typed,
        its `_typed` variant when the catalog has one ("gõ" rather than "bấm")."""
        if self.choices_typed and self.t.has(f"{key}_typed"):
            return self.t(f"{key}_typed", **values)
        return self.t(key, **values)

    @property
    def text(self) -> str:
        """The text the person typed (as typed)."""
        return self.event.text

    @property
    def action_args(self) -> list[str]:
        """The parts of a button action after its prefix: "reg:unit:12" → ["unit", "12"]."""
        return self.event.action.split(":")[1:]
