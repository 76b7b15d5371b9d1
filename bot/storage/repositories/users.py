"""Users, their role grants and web-chat sessions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import RoleGrant, Unit, User, WebSession, WebSessionQuota
from bot.storage.repositories._dialect import insert_for


async def get_or_create(
    session: AsyncSession, *, channel: str, external_id: str, now: datetime
) -> User:
    """The user row for a channel account, created on first contact; marks it seen now."""
    statement = (
        insert_for(session, User)
        .values(channel=channel, external_id=external_id, created_at=now, last_seen_at=now)
        .on_conflict_do_update(
            index_elements=["channel", "external_id"],
            set_={"last_seen_at": now, "unreachable_reason": None},
        )
        .returning(User)
    )
    # One round trip: the upsert hands the row back (RETURNING works on SQLite and PostgreSQL).
    user = await session.scalar(statement, execution_options={"populate_existing": True})
    assert user is not None
    return user


async def find(session: AsyncSession, *, channel: str, external_id: str) -> User | None:
    """The user row for a channel account, if any."""
    return await session.scalar(
        select(User).where(User.channel == channel, User.external_id == external_id)
    )


async def by_id(session: AsyncSession, *, user_id: int) -> User | None:
    """One user by id."""
    return await session.get(User, user_id)


async def update_fields(session: AsyncSession, *, user_id: int, **fields: object) -> None:
    """Set some columns of one user."""
    await session.execute(update(User).where(User.id == user_id).values(**fields))


async def unit_name(session: AsyncSession, *, unit_id: int) -> str | None:
    """Only the name of a unit (profiles need nothing else)."""
    return await session.scalar(select(Unit.name).where(Unit.id == unit_id))


async def roles_of(session: AsyncSession, *, user_id: int) -> list[RoleGrant]:
    """Every elevated role the user holds."""
    rows = await session.scalars(select(RoleGrant).where(RoleGrant.user_id == user_id))
    return list(rows.all())


async def grant(session: AsyncSession, *, user_id: int, role: str, unit_id: int | None) -> bool:
    """Give a role; False if the user already had it."""
    existing = await session.scalar(
        select(RoleGrant).where(
            RoleGrant.user_id == user_id,
            RoleGrant.role == role,
            RoleGrant.unit_id.is_(None) if unit_id is None else RoleGrant.unit_id == unit_id,
        )
    )
    if existing is not None:
        return False
    session.add(RoleGrant(user_id=user_id, role=role, unit_id=unit_id))
    await session.flush()
    return True


async def revoke(session: AsyncSession, *, user_id: int, role: str) -> int:
    """Take a role away (every unit); returns how many grants were removed."""
    result = await session.execute(
        delete(RoleGrant).where(RoleGrant.user_id == user_id, RoleGrant.role == role)
    )
    return result.rowcount or 0


async def revoke_all(session: AsyncSession, *, user_id: int) -> None:
    """Take every role away (personal-data deletion)."""
    await session.execute(delete(RoleGrant).where(RoleGrant.user_id == user_id))


async def list_users(
    session: AsyncSession,
    *,
    channel: str | None = None,
    role: str | None = None,
    unit_path: str | None = None,
    limit: int | None = 200,
) -> list[User]:
    """Registered users, newest first (for the CLI): of one channel, holding a role, in a unit's
    subtree (its `path` prefix)."""
    query = select(User).where(User.consent_at.is_not(None))
    if channel:
        query = query.where(User.channel == channel)
    if role:
        query = query.where(User.id.in_(select(RoleGrant.user_id).where(RoleGrant.role == role)))
    if unit_path:
        subtree = select(Unit.id).where(Unit.path.startswith(unit_path, autoescape=True))
        query = query.where(User.unit_id.in_(subtree))
    query = query.order_by(User.id.desc())
    if limit is not None:
        query = query.limit(limit)
    return list((await session.scalars(query)).all())


async def add_web_session(
    session: AsyncSession, *, token_hash: str, external_id: str, now: datetime
) -> None:
    """Store a new web-chat session."""
    session.add(
        WebSession(token_hash=token_hash, external_id=external_id, created_at=now, last_used_at=now)
    )
    await session.flush()


async def web_session(session: AsyncSession, *, token_hash: str) -> WebSession | None:
    """The web-chat session for a token hash."""
    return await session.get(WebSession, token_hash)


async def touch_web_session(session: AsyncSession, *, token_hash: str, now: datetime) -> None:
    """Mark a web session used now."""
    await session.execute(
        update(WebSession).where(WebSession.token_hash == token_hash).values(last_used_at=now)
    )


async def delete_user(session: AsyncSession, *, user_id: int) -> None:
    """Delete a user row (personal-data erasure; rows that reference it cascade or let go)."""
    await session.execute(delete(User).where(User.id == user_id))


async def web_sessions_of(session: AsyncSession, *, external_id: str) -> list[WebSession]:
    """The web-chat sessions of one anonymous web user."""
    rows = await session.scalars(select(WebSession).where(WebSession.external_id == external_id))
    return list(rows.all())


async def delete_web_sessions(session: AsyncSession, *, external_id: str) -> None:
    """End every web-chat session of one web user (personal-data erasure)."""
    await session.execute(delete(WebSession).where(WebSession.external_id == external_id))


async def count_session_opened(
    session: AsyncSession, *, client_key: str, window_start: datetime
) -> int:
    """Count one more session opened by a client in a window; returns the count so far (one
    atomic upsert, so concurrent requests in several processes all count)."""
    table = WebSessionQuota.__table__
    statement = (
        insert_for(session, table)
        .values(client_key=client_key, window_start=window_start, opened=1)
        .on_conflict_do_update(
            index_elements=["client_key", "window_start"], set_={"opened": table.c.opened + 1}
        )
        .returning(table.c.opened)
    )
    return int((await session.execute(statement)).scalar_one())


async def prune_session_quota(session: AsyncSession, *, before: datetime) -> int:
    """Delete session counters of windows that started before `before`."""
    result = await session.execute(
        delete(WebSessionQuota).where(WebSessionQuota.window_start < before)
    )
    return result.rowcount or 0
