"""The console's accounts, sign-in links, sessions, sign-in throttle and audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import (
    AdminAccount,
    AdminLoginLink,
    AdminSession,
    AdminThrottle,
    AppSecret,
    AuditEntry,
)
from bot.storage.repositories._dialect import insert_for


async def account_by_username(session: AsyncSession, *, username: str) -> AdminAccount | None:
    """A password account by its (case-folded) user name."""
    return await session.scalar(select(AdminAccount).where(AdminAccount.username == username))


async def account_by_id(session: AsyncSession, *, account_id: int) -> AdminAccount | None:
    """A password account by id."""
    return await session.get(AdminAccount, account_id)


async def save_account(
    session: AsyncSession, *, username: str, display_name: str, password_hash: str, now: datetime
) -> bool:
    """Create the account, or set a new password and name on an existing one; True if new."""
    found = await account_by_username(session, username=username)
    if found is not None:
        found.password_hash, found.display_name, found.disabled = password_hash, display_name, False
        return False
    session.add(
        AdminAccount(
            username=username,
            display_name=display_name,
            password_hash=password_hash,
            created_at=now,
        )
    )
    return True


async def set_password_hash(session: AsyncSession, *, account_id: int, password_hash: str) -> None:
    """Store a re-hashed password (argon2 parameters raised since it was set)."""
    await session.execute(
        update(AdminAccount)
        .where(AdminAccount.id == account_id)
        .values(password_hash=password_hash)
    )


async def add_link(
    session: AsyncSession, *, token_hash: str, user_id: int, now: datetime, expires_at: datetime
) -> None:
    """Store a new one-time sign-in link."""
    session.add(
        AdminLoginLink(
            token_hash=token_hash, user_id=user_id, created_at=now, expires_at=expires_at
        )
    )


async def use_link(session: AsyncSession, *, token_hash: str, now: datetime) -> int | None:
    """Mark an unused, unexpired link used and return its person; None otherwise. One statement,
    so two tabs opening the same link at once cannot both succeed."""
    return await session.scalar(
        update(AdminLoginLink)
        .where(
            AdminLoginLink.token_hash == token_hash,
            AdminLoginLink.used_at.is_(None),
            AdminLoginLink.expires_at > now,
        )
        .values(used_at=now)
        .returning(AdminLoginLink.user_id)
    )


async def add_session(
    session: AsyncSession,
    *,
    token_hash: str,
    csrf_token: str,
    user_id: int | None,
    account_id: int | None,
    now: datetime,
    expires_at: datetime,
) -> None:
    """Store a new console session."""
    session.add(
        AdminSession(
            token_hash=token_hash,
            csrf_token=csrf_token,
            user_id=user_id,
            account_id=account_id,
            created_at=now,
            last_seen_at=now,
            expires_at=expires_at,
        )
    )


async def live_session(
    session: AsyncSession, *, token_hash: str, now: datetime
) -> AdminSession | None:
    """A session that has not expired."""
    return await session.scalar(
        select(AdminSession).where(
            AdminSession.token_hash == token_hash, AdminSession.expires_at > now
        )
    )


async def touch_session(
    session: AsyncSession, *, token_hash: str, now: datetime, expires_at: datetime
) -> None:
    """Slide an active session's expiry."""
    await session.execute(
        update(AdminSession)
        .where(AdminSession.token_hash == token_hash)
        .values(last_seen_at=now, expires_at=expires_at)
    )


async def end_session(session: AsyncSession, *, token_hash: str) -> None:
    """Sign out: the session is gone."""
    await session.execute(delete(AdminSession).where(AdminSession.token_hash == token_hash))


async def prune(session: AsyncSession, *, now: datetime, links_before: datetime) -> int:
    """Forget expired sessions and old links."""
    gone = await session.execute(delete(AdminSession).where(AdminSession.expires_at <= now))
    links = await session.execute(
        delete(AdminLoginLink).where(AdminLoginLink.created_at < links_before)
    )
    return int(gone.rowcount or 0) + int(links.rowcount or 0)


async def throttle(session: AsyncSession, *, key: str) -> AdminThrottle | None:
    """The failure record of a key, if any."""
    return await session.get(AdminThrottle, key)


async def record_failure(
    session: AsyncSession, *, key: str, now: datetime, blocked_until: datetime | None
) -> int:
    """Count one more failure for `key`; returns the count."""
    statement = insert_for(session, AdminThrottle).values(
        key=key, failures=1, last_failure_at=now, blocked_until=blocked_until
    )
    statement = statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "failures": AdminThrottle.failures + 1,
            "last_failure_at": now,
            "blocked_until": blocked_until,
        },
    ).returning(AdminThrottle.failures)
    return int(await session.scalar(statement) or 1)


async def set_blocked_until(session: AsyncSession, *, key: str, until: datetime | None) -> None:
    """Set how long a key must wait before its next try."""
    await session.execute(
        update(AdminThrottle).where(AdminThrottle.key == key).values(blocked_until=until)
    )


async def clear_failures(session: AsyncSession, *, key: str) -> None:
    """A successful sign-in forgets the key's failures."""
    await session.execute(delete(AdminThrottle).where(AdminThrottle.key == key))


async def add_audit(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    actor_user_id: int | None,
    actor_account_id: int | None,
    action: str,
    target: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    note: str,
) -> None:
    """Append one entry to the audit log."""
    session.add(
        AuditEntry(
            at=at,
            actor=actor,
            actor_user_id=actor_user_id,
            actor_account_id=actor_account_id,
            action=action,
            target=target,
            before=before,
            after=after,
            note=note,
        )
    )


async def audit_page(
    session: AsyncSession, *, offset: int, limit: int, action: str | None = None
) -> tuple[list[AuditEntry], int]:
    """Newest entries first, one page, and how many there are in all."""
    query = select(AuditEntry)
    counted = select(func.count()).select_from(AuditEntry)
    if action:
        query = query.where(AuditEntry.action == action)
        counted = counted.where(AuditEntry.action == action)
    rows = await session.scalars(
        query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), int(await session.scalar(counted) or 0)


async def shared_secret(session: AsyncSession, *, name: str, candidate: str, now: datetime) -> str:
    """The secret called `name`, created from `candidate` by whichever process asks first."""
    await session.execute(
        insert_for(session, AppSecret)
        .values(name=name, value=candidate, created_at=now)
        .on_conflict_do_nothing()
    )
    value = await session.scalar(select(AppSecret.value).where(AppSecret.name == name))
    assert value is not None
    return value
