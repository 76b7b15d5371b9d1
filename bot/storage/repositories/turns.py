"""What every incoming event starts and ends with, in as few round trips as the database allows.

Each update claims its delivery id, upserts the person (first contact creates them; every contact
marks them seen) and reads their unit's name, their role grants and their conversation state.
That is the bot's hottest path, so the statements are built once and run as Core: on PostgreSQL
as one statement (data-modifying CTEs feed a joined SELECT), on SQLite as three. They run in the
turn's transaction (`Database.turn`), so the claim commits with the turn's effects and its
replies (`keep_replies`), and a redelivery of a claimed update finds those replies
(`stored_replies`). On PostgreSQL a redelivery that arrives while the first delivery's turn is
still open waits on the claim's primary key until that turn commits or rolls back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Row, bindparam, exists, func, literal, select, true, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.models import Conversation, ProcessedEvent, RoleGrant, Unit, User
from bot.storage.repositories import conversations
from bot.storage.repositories._dialect import insert_of

_USERS = User.__table__
_EVENTS = ProcessedEvent.__table__
_CONVERSATIONS = Conversation.__table__
_GRANTS = RoleGrant.__table__
_UNITS = Unit.__table__


def is_one_statement(dialect: str) -> bool:
    """Whether `begin` is a single statement there (so it needs no surrounding transaction)."""
    return dialect == "postgresql"


@dataclass(frozen=True, slots=True)
class TurnStart:
    """The person (user row), their unit's name, their grants and their stored conversation."""

    user: Row[Any]
    unit_name: str | None
    grants: list[tuple[str, int | None]]
    conversation: Row[Any] | None


async def begin(
    connection: AsyncConnection, *, channel: str, external_id: str, event_key: str, now: datetime
) -> TurnStart | None:
    """Claim `event_key` (when given) and load the person; None when the event was claimed
    before (a redelivery, see `stored_replies`): then nothing else is written."""
    params = {"channel": channel, "external_id": external_id, "event_key": event_key, "now": now}
    claim = bool(event_key)
    if connection.dialect.name == "postgresql":
        rows = (await connection.execute(_begin_pg(claim), params)).all()
        return _turn(rows) if rows else None
    if claim and not (await connection.execute(_claim("sqlite"), params)).rowcount:
        return None
    user = (await connection.execute(_upsert("sqlite", claim=False), params)).one()
    rows = (await connection.execute(_context_of_user(), {"user_id": user.id})).all()
    return _turn(rows, user)


def _turn(rows: list[Row[Any]], user: Row[Any] | None = None) -> TurnStart:
    first = rows[0]
    grants = [(row.grant_role, row.grant_unit_id) for row in rows if row.grant_role is not None]
    conversation = first if first.conversation_version is not None else None
    return TurnStart(user or first, first.unit_name, grants, conversation)


def _params() -> dict[str, Any]:
    return {
        "channel": bindparam("channel", type_=_USERS.c.channel.type),
        "external_id": bindparam("external_id", type_=_USERS.c.external_id.type),
        "now": bindparam("now", type_=_USERS.c.last_seen_at.type),
    }


@cache
def _claim(dialect: str) -> Any:
    p = _params()
    return (
        insert_of(dialect, _EVENTS)
        .values(
            channel=p["channel"],
            event_key=bindparam("event_key", type_=_EVENTS.c.event_key.type),
            created_at=p["now"],
            user_id=p["external_id"],
        )
        .on_conflict_do_nothing()
    )


_EVENT = (_EVENTS.c.channel == bindparam("key_channel")) & (
    _EVENTS.c.event_key == bindparam("key_event")
)
_KEEP = (
    update(_EVENTS)
    .where(_EVENT)
    .values(replies=bindparam("to_replies", type_=_EVENTS.c.replies.type))
)
_STORED = select(_EVENTS.c.replies).where(_EVENT)


@dataclass(frozen=True, slots=True)
class NewState:
    """A conversation state to save: its fields and the version it was read at."""

    step: str | None
    data: dict[str, Any]
    menu: list[Any]
    version: int


async def finish(
    connection: AsyncConnection,
    *,
    channel: str,
    user_id: str,
    state: NewState | None,
    event_key: str,
    replies: list[Any],
) -> bool:
    """End a turn: save the conversation state (when it changed; only if still at the version
    read) and keep the turn's replies (encoded) with its claim (when it has one). False when the
    state lost a race. On PostgreSQL both are one statement once the conversation exists."""
    if state is None:
        if event_key:
            await keep_replies(connection, channel=channel, event_key=event_key, replies=replies)
        return True
    saving = conversations.state_params(
        channel=channel,
        user_id=user_id,
        step=state.step,
        data=state.data,
        menu=state.menu,
        version=state.version,
    )
    if event_key and state.version and connection.dialect.name == "postgresql":
        params = {**saving, "key_event": event_key, "to_replies": replies}
        return bool((await connection.execute(_finish_pg(), params)).one().saved)
    saved = await conversations.save(
        connection,
        channel=channel,
        user_id=user_id,
        step=state.step,
        data=state.data,
        menu=state.menu,
        expected_version=state.version,
    )
    if saved and event_key:
        await keep_replies(connection, channel=channel, event_key=event_key, replies=replies)
    return saved


@cache
def _finish_pg() -> Any:
    """The state update and the replies update as data-modifying CTEs of one SELECT (each runs
    once, whatever the SELECT reads; it reads both so that both are rendered)."""
    saved = conversations.UPDATE_STATE.returning(literal(1).label("one")).cte("saved")
    kept = _KEEP.returning(literal(1).label("one")).cte("kept")
    return select(
        select(func.count()).select_from(saved).scalar_subquery().label("saved"),
        select(func.count()).select_from(kept).scalar_subquery().label("kept"),
    )


async def keep_replies(
    connection: AsyncConnection, *, channel: str, event_key: str, replies: list[Any]
) -> None:
    """Store the turn's replies (encoded) with its claim, in the turn's transaction."""
    params = {"key_channel": channel, "key_event": event_key, "to_replies": replies}
    await connection.execute(_KEEP, params)


async def stored_replies(
    connection: AsyncConnection, *, channel: str, event_key: str
) -> list[Any] | None:
    """The replies kept with a claim; None when none were kept (claimed before they were, or
    forgotten) or there is no such claim."""
    params = {"key_channel": channel, "key_event": event_key}
    return (await connection.execute(_STORED, params)).scalar_one_or_none()


async def claim_answered(
    connection: AsyncConnection,
    *,
    channel: str,
    external_id: str,
    event_key: str,
    replies: list[Any],
    now: datetime,
) -> list[Any] | None:
    """Claim an update with the answer already given (a turn that failed and was rolled back).
    Returns the replies stored with an earlier claim when there is one (then those are the
    answer), else None."""
    params = {
        "channel": channel,
        "external_id": external_id,
        "event_key": event_key,
        "now": now,
        "replies": replies,
    }
    claimed = await connection.execute(_claim_answered(connection.dialect.name), params)
    if claimed.rowcount:
        return None
    return await stored_replies(connection, channel=channel, event_key=event_key) or []


@cache
def _claim_answered(dialect: str) -> Any:
    return _claim(dialect).values(replies=bindparam("replies", type_=_EVENTS.c.replies.type))


@cache
def _upsert(dialect: str, *, claim: bool) -> Any:
    """INSERT the person or mark them seen; RETURNING the row. With `claim` (PostgreSQL), only
    when the claim CTE inserted its row."""
    p = _params()
    source = select(p["channel"], p["external_id"], p["now"], p["now"])
    if claim:
        claimed = _claim(dialect).returning(literal(1).label("claimed")).cte("claimed")
        source = source.where(exists(select(claimed.c.claimed)))
    else:
        source = source.where(true())  # SQLite: an upsert's SELECT needs a WHERE
    statement = insert_of(dialect, _USERS).from_select(
        ["channel", "external_id", "created_at", "last_seen_at"], source
    )
    return statement.on_conflict_do_update(
        index_elements=["channel", "external_id"],
        set_={"last_seen_at": statement.excluded.last_seen_at, "unreachable_reason": None},
    ).returning(*_USERS.c)


_CONTEXT = [
    _UNITS.c.name.label("unit_name"),
    _GRANTS.c.role.label("grant_role"),
    _GRANTS.c.unit_id.label("grant_unit_id"),
    _CONVERSATIONS.c.step.label("conversation_step"),
    _CONVERSATIONS.c.data.label("conversation_data"),
    _CONVERSATIONS.c.menu.label("conversation_menu"),
    _CONVERSATIONS.c.version.label("conversation_version"),
]


def _with_context(person: Any, columns: list[Any]) -> Any:
    """One row per grant (at least one): the unit's name and the conversation alongside."""
    return (
        select(*columns, *_CONTEXT)
        .select_from(person)
        .outerjoin(_UNITS, _UNITS.c.id == person.c.unit_id)
        .outerjoin(_GRANTS, _GRANTS.c.user_id == person.c.id)
        .outerjoin(
            _CONVERSATIONS,
            (_CONVERSATIONS.c.channel == person.c.channel)
            & (_CONVERSATIONS.c.user_id == person.c.external_id),
        )
        .order_by(_GRANTS.c.id)
    )


@cache
def _context_of_user() -> Any:
    return _with_context(_USERS, []).where(_USERS.c.id == bindparam("user_id"))


@cache
def _begin_pg(claim: bool) -> Any:
    """PostgreSQL: claim, upsert and context in one statement (one round trip, atomic)."""
    person = _upsert("postgresql", claim=claim).cte("person")
    return _with_context(person, list(person.c))
