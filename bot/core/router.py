"""Where handlers are registered: commands, button actions, flow steps and the fallback."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.core.context import Context
from bot.core.replies import Reply

HandlerResult = list[Reply] | Reply | None
Handler = Callable[[Context], Awaitable[HandlerResult]]


class Need(StrEnum):
    """Who may use a route; the engine checks it before calling the handler."""

    ANYONE = "anyone"
    REGISTERED = "registered"
    STAFF = "staff"
    MANAGER = "manager"
    COUNCIL = "council"
    ADMIN = "admin"


@dataclass(frozen=True, slots=True)
class Route:
    """A handler and who may reach it."""

    handler: Handler
    need: Need = Need.ANYONE


class Router:
    """The registry the engine dispatches on. Built in one place: `bot.handlers.build_router`."""

    def __init__(self) -> None:
        self.commands: dict[str, Route] = {}
        self.actions: dict[str, Route] = {}
        self.steps: dict[str, Route] = {}
        self.flows: dict[str, Route] = {}
        self.cancels: dict[str, Handler] = {}
        self.fallback_route: Route | None = None

    def command(self, name: str, handler: Handler, need: Need = Need.ANYONE) -> None:
        """`/name` (lower-case ASCII, as Telegram requires)."""
        if not name.isascii() or not name.replace("_", "").isalnum() or name.lower() != name:
            raise ValueError(f"invalid command name {name!r}")
        self._add(self.commands, name, Route(handler, need))

    def action(self, prefix: str, handler: Handler, need: Need = Need.ANYONE) -> None:
        """Button actions `prefix:...`."""
        self._add(self.actions, prefix, Route(handler, need))

    def step(self, step: str, handler: Handler, need: Need = Need.ANYONE) -> None:
        """Text or attachments typed while the person is at `step`."""
        self._add(self.steps, step, Route(handler, need))

    def flow(self, prefix: str, handler: Handler, need: Need = Need.ANYONE) -> None:
        """Input at any step `prefix.*` without a handler of its own."""
        self._add(self.flows, prefix, Route(handler, need))

    def on_cancel(self, prefix: str, handler: Handler) -> None:
        """What `/huy` does inside steps `prefix.*` (e.g. ask to confirm); default: leave."""
        self._add(self.cancels, prefix, handler)

    def fallback(self, handler: Handler) -> None:
        """Free text outside any flow."""
        self.fallback_route = Route(handler)

    def route_for_step(self, step: str) -> Route | None:
        """The route for input at a step."""
        return self.steps.get(step) or self.flows.get(step.split(".", 1)[0])

    def cancel_for_step(self, step: str) -> Handler | None:
        """The flow's own cancel handler, if it has one."""
        return self.cancels.get(step.split(".", 1)[0])

    @staticmethod
    def _add(table: dict, key: str, value: object) -> None:  # type: ignore[type-arg]
        if key in table:
            raise ValueError(f"{key!r} registered twice")
        table[key] = value
