"""The conversation engine: one event in, the replies out, the person's state kept in storage."""

from __future__ import annotations

import asyncio
import copy
import logging
import re
import time
import weakref
from dataclasses import replace
from typing import Protocol

from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.core import reply_codec
from bot.core.choices import menu_of, resolve_typed_choice
from bot.core.clock import Clock
from bot.core.context import Context
from bot.core.errors import StorageUnavailable
from bot.core.events import EventKind, IncomingEvent
from bot.core.notify import Notifier
from bot.core.replies import Outgoing, Reply, Text
from bot.core.router import HandlerResult, Need, Route, Router
from bot.core.state import ConversationKey, ConversationState, StaleState, StateStore
from bot.messages import Catalog

log = logging.getLogger(__name__)

INFRASTRUCTURE_ERRORS = (
    StorageUnavailable,
    OperationalError,
    InterfaceError,
    PoolTimeout,
    ConnectionError,
    TimeoutError,
)
"""Failures of the parts below us: the channel must answer so that the platform retries."""


class _Answer(Exception):
    """Ends a turn with these replies, rolling back what it did (e.g. a lost race)."""

    def __init__(self, replies: list[Reply], failure: str = "error") -> None:
        super().__init__()
        self.replies = replies
        self.failure = failure


class TurnObserver(Protocol):
    """Told of every turn (metrics, `bot.observability`): the channel, the outcome (answered,
    replayed, error, busy, unavailable) and the seconds it took."""

    def __call__(self, channel: str, outcome: str, seconds: float) -> None: ...


class Engine:
    """Routes each event to its handler, checks who may use it, and persists the state.

    Each event is one turn (`StateStore.turn`): the claim of its update id, every write of the
    handler's services, the conversation state, the notices (queued through `notifier`, the
    outbox) and the replies kept with the claim commit together. A redelivery of a claimed
    update gets the kept replies again; the handler never runs twice for one update.
    """

    def __init__(
        self,
        *,
        router: Router,
        services: object,
        store: StateStore,
        catalog: Catalog,
        clock: Clock,
        max_text_length: int = 4000,
        notifier: Notifier | None = None,
        observer: TurnObserver | None = None,
    ) -> None:
        self._observer = observer
        self._router = router
        self._services = services
        self._store = store
        self._notifier = notifier
        self._t = catalog
        self._clock = clock
        self._max_text = max_text_length
        self._locks: weakref.WeakValueDictionary[ConversationKey, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    @property
    def router(self) -> Router:
        """The routes (channels read command names from it)."""
        return self._router

    async def handle(self, event: IncomingEvent) -> Outgoing:
        """Process one event as one turn. Raises when storage is unreachable (or the turn itself
        failed outside the handler): then nothing was stored, and a redelivery is handled anew."""
        key = ConversationKey(event.channel, event.user_id)
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        started = time.perf_counter()
        outcome = "unavailable"  # unless the turn comes back: it raised
        try:
            async with lock:
                outgoing = await self._handle(key, event)
            outcome = outgoing.failure or ("replayed" if outgoing.replayed else "answered")
            return outgoing
        finally:
            if self._observer is not None:
                self._observer(event.channel, outcome, time.perf_counter() - started)

    async def _handle(self, key: ConversationKey, event: IncomingEvent) -> Outgoing:
        """The turn: claim, handler, state, notices and the replies kept with the claim commit
        together. A turn whose handler fails (or loses a race) is rolled back whole and answered,
        and that answer is what the claim keeps. Any other failure (storage, a bug of the turn
        itself) propagates with nothing stored, so that the platform's redelivery is handled."""
        try:
            async with self._store.turn():
                return await self._turn(key, event)
        except _Answer as answer:
            replies = await self._claim_answered(key, event, answer.replies)
            return Outgoing(replies, failure=answer.failure)

    async def _turn(self, key: ConversationKey, event: IncomingEvent) -> Outgoing:
        begun = await self._services.users.begin_turn(  # type: ignore[attr-defined]
            channel=event.channel, external_id=event.user_id, dedup_key=event.dedup_key
        )
        if begun is None:
            stored = await self._store.stored_replies(key, event.dedup_key)
            log.info(
                "redelivery of %s on %s: %s",
                event.dedup_key,
                event.channel,
                "ignored (no replies kept)" if stored is None else "stored replies sent again",
            )
            return Outgoing(stored or [], replayed=True)
        outgoing, changed = await self._run(event, *begun)
        kept = [r if reply_codec.fits(r) else self._not_kept(r) for r in outgoing.replies]
        try:
            await self._store.finish(key, changed, event.dedup_key, kept)
        except StaleState:
            log.warning("concurrent update of conversation %s", key)
            raise _Answer([Text(self._t("common.busy"))], "busy") from None
        return outgoing

    async def _run(
        self, event: IncomingEvent, user: object, state: ConversationState
    ) -> tuple[Outgoing, ConversationState | None]:
        """The handler's part of the turn: its replies, and the state when it changed."""
        event = _without_control_characters(event)
        if event.kind is EventKind.TEXT and len(event.text) > self._max_text:
            return Outgoing([Text(self._t("common.too_long", limit=self._max_text))]), None
        before = (state.step, copy.deepcopy(state.data), state.menu)
        event = resolve_typed_choice(event, state.menu)
        ctx = Context(event, user, state, self._services, self._t, self._clock)  # type: ignore[arg-type]
        try:
            replies = _as_list(await self._dispatch(ctx))
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception:
            log.exception("handler failed for %s event on %s", event.kind, event.channel)
            raise _Answer([Text(self._t("common.error"))]) from None
        menu = menu_of(replies)
        if menu is not None:  # a turn that only answered with a toast leaves the choices open
            state.menu = menu
        if ctx.notices and self._notifier is not None:
            await self._notifier.deliver(ctx.notices)
        # an erased person's conversation is gone: nothing of it is written back
        changed = not ctx.forgotten and (state.step, state.data, state.menu) != before
        return Outgoing(replies, ctx.notices), state if changed else None

    async def _claim_answered(
        self, key: ConversationKey, event: IncomingEvent, replies: list[Reply]
    ) -> list[Reply]:
        """After a rolled-back turn: claim the update with the answer given, so that a
        redelivery gets the same answer (or, when another delivery claimed it meanwhile, send
        what that one stored)."""
        if not event.dedup_key:
            return replies
        try:
            async with self._store.turn():
                return await self._store.claim_answered(key, event.dedup_key, replies)
        except INFRASTRUCTURE_ERRORS:
            raise
        except Exception:
            log.exception("could not keep the answer to %s on %s", event.dedup_key, event.channel)
            return replies

    def _not_kept(self, reply: Reply) -> Reply:
        """What a redelivery gets instead of a file too large to keep."""
        name = getattr(reply, "file_name", "") or ", ".join(
            image.file_name for image in getattr(reply, "images", ())
        )
        return Text(self._t("common.file_not_kept", name=name))

    async def _dispatch(self, ctx: Context) -> HandlerResult:
        event = ctx.event
        if event.kind is EventKind.COMMAND:
            if event.command == "huy":
                return await self._cancel(ctx)
            route = self._router.commands.get(event.command)
            if route is None:
                return Text(self._t("common.unknown_command", command=event.command))
            return await self._call(route, ctx)
        if event.kind is EventKind.ACTION:
            return await self._dispatch_action(ctx)
        if event.kind is EventKind.TEXT and not event.text.strip():
            return Text(self._t("common.empty"))
        route = self._router.route_for_step(ctx.state.step) if ctx.state.step else None
        if route is None:
            if event.kind is EventKind.ATTACHMENT:
                return Text(self._t("common.attachment_unexpected"))
            route = self._router.fallback_route
        if route is None:
            return Text(self._t("common.not_understood"))
        return await self._call(route, ctx)

    async def _dispatch_action(self, ctx: Context) -> HandlerResult:
        prefix, _, rest = ctx.event.action.partition(":")
        if prefix == "cmd":
            name, _, args = rest.partition(":")
            if name == "huy":
                return await self._cancel(ctx)
            route = self._router.commands.get(name)
            if route is None:
                return Text(self._t("common.coming_soon"))
            ctx.event = replace(ctx.event, kind=EventKind.COMMAND, command=name, args=args)
            return await self._call(route, ctx)
        route = self._router.actions.get(prefix)
        if route is None:
            return Text(self._t("common.stale_button"))
        return await self._call(route, ctx)

    async def _cancel(self, ctx: Context) -> HandlerResult:
        step = ctx.state.step
        if step:
            custom = self._router.cancel_for_step(step)
            if custom is not None:
                return await custom(ctx)
            ctx.finish()
            return Text(self._t("common.cancelled"))
        return Text(self._t("common.nothing_to_cancel"))

    async def _call(self, route: Route, ctx: Context) -> HandlerResult:
        refusal = self._refusal(route.need, ctx)
        if refusal is not None:
            return refusal
        return await route.handler(ctx)

    def _refusal(self, need: Need, ctx: Context) -> Reply | None:
        user = ctx.user
        if need is Need.ANYONE:
            return None
        if not user.registered:
            return Text(self._t("common.need_registration"))
        allowed = {
            Need.REGISTERED: True,
            Need.STAFF: user.is_staff,
            Need.MANAGER: user.is_manager or user.is_admin,
            Need.COUNCIL: user.is_council,
            Need.ADMIN: user.is_admin,
        }[need]
        return None if allowed else Text(self._t(f"common.need_{need.value}"))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _without_control_characters(event: IncomingEvent) -> IncomingEvent:
    """Drop NUL and other control characters no keyboard types (PostgreSQL rejects NUL)."""
    if _CONTROL.search(event.text) or _CONTROL.search(event.args) or _CONTROL.search(event.action):
        return replace(
            event,
            text=_CONTROL.sub("", event.text),
            args=_CONTROL.sub("", event.args),
            action=_CONTROL.sub("", event.action),
        )
    return event


def _as_list(result: HandlerResult) -> list[Reply]:
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)
