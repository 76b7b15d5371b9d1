"""Rows the platform channels keep: message refs, Zalo OA tokens and contacts, the webhook inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.models import ChannelInboxEvent, ChannelMessageRef, ZaloOaContact, ZaloOaToken
from bot.storage.repositories._dialect import insert_for, insert_ignore


async def get_message_ref(
    session: AsyncSession, *, channel: str, chat_id: str, key: str
) -> str | None:
    """The message id last sent in a chat under an edit key."""
    return await session.scalar(
        select(ChannelMessageRef.message_id).where(
            ChannelMessageRef.channel == channel,
            ChannelMessageRef.chat_id == chat_id,
            ChannelMessageRef.edit_key == key,
        )
    )


async def put_message_ref(
    session: AsyncSession,
    *,
    channel: str,
    chat_id: str,
    key: str,
    message_id: str,
    now: datetime,
) -> None:
    """Remember (or replace) the message id for an edit key."""
    statement = insert_for(session, ChannelMessageRef.__table__).values(
        channel=channel, chat_id=chat_id, edit_key=key, message_id=message_id, updated_at=now
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["channel", "chat_id", "edit_key"],
            set_={"message_id": message_id, "updated_at": now},
        )
    )


async def lock_oa_token(session: AsyncSession, *, app_id: str) -> ZaloOaToken | None:
    """The OA token row, locked until the transaction ends (PostgreSQL; SQLite serialises)."""
    return await session.scalar(
        select(ZaloOaToken)
        .where(ZaloOaToken.app_id == app_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def seed_oa_token(
    session: AsyncSession, *, app_id: str, refresh_token: str, seed_hash: str, now: datetime
) -> None:
    """Start (or restart, after an admin pasted a new refresh token) the token chain."""
    statement = insert_for(session, ZaloOaToken.__table__).values(
        app_id=app_id,
        access_token="",
        access_expires_at=None,
        refresh_token=refresh_token,
        seed_hash=seed_hash,
        version=1,
        updated_at=now,
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["app_id"],
            set_={
                "access_token": "",
                "access_expires_at": None,
                "refresh_token": refresh_token,
                "seed_hash": seed_hash,
                "version": ZaloOaToken.version + 1,
                "updated_at": now,
            },
        )
    )


async def store_oa_tokens(
    session: AsyncSession,
    *,
    app_id: str,
    version: int,
    access_token: str,
    access_expires_at: datetime,
    refresh_token: str,
    now: datetime,
) -> bool:
    """Replace both tokens if nobody rotated them since `version` was read; False otherwise."""
    result = await session.execute(
        update(ZaloOaToken)
        .where(ZaloOaToken.app_id == app_id, ZaloOaToken.version == version)
        .values(
            access_token=access_token,
            access_expires_at=access_expires_at,
            refresh_token=refresh_token,
            version=version + 1,
            updated_at=now,
        )
    )
    return bool(result.rowcount)


async def expire_oa_access(session: AsyncSession, *, app_id: str, access_token: str) -> None:
    """Forget an access token the API refused, so that the next call refreshes it."""
    await session.execute(
        update(ZaloOaToken)
        .where(ZaloOaToken.app_id == app_id, ZaloOaToken.access_token == access_token)
        .values(access_expires_at=None)
    )


async def touch_oa_contact(
    session: AsyncSession, *, user_id: str, at: datetime, following: bool | None
) -> None:
    """Record an interaction (and a follow or unfollow) of a person with the OA."""
    values: dict[str, Any] = {
        "user_id": user_id,
        "last_interaction_at": at,
        "updated_at": at,
        "following": True if following is None else following,
    }
    changes: dict[str, Any] = {"last_interaction_at": at, "updated_at": at}
    if following is not None:
        changes["following"] = following
    statement = insert_for(session, ZaloOaContact.__table__).values(**values)
    await session.execute(statement.on_conflict_do_update(index_elements=["user_id"], set_=changes))


async def get_oa_contact(session: AsyncSession, *, user_id: str) -> ZaloOaContact | None:
    """A person's last interaction with the OA, if any."""
    return await session.get(ZaloOaContact, user_id)


async def add_inbox_event(
    session: AsyncSession,
    *,
    channel: str,
    event_key: str,
    payload: dict[str, Any],
    now: datetime,
) -> int | None:
    """Keep an acknowledged webhook event; None if the same event was kept before."""
    inserted = await insert_ignore(
        session,
        ChannelInboxEvent.__table__,
        {
            "channel": channel,
            "event_key": event_key,
            "payload": payload,
            "received_at": now,
            "attempts": 0,
        },
    )
    if not inserted:
        return None
    return await session.scalar(
        select(ChannelInboxEvent.id).where(
            ChannelInboxEvent.channel == channel, ChannelInboxEvent.event_key == event_key
        )
    )


async def pending_inbox_events(
    session: AsyncSession, *, channel: str, max_attempts: int, limit: int = 100
) -> list[ChannelInboxEvent]:
    """Events not processed yet (after a crash or a failed attempt), oldest first."""
    rows = await session.scalars(
        select(ChannelInboxEvent)
        .where(
            ChannelInboxEvent.channel == channel,
            ChannelInboxEvent.processed_at.is_(None),
            ChannelInboxEvent.attempts < max_attempts,
        )
        .order_by(ChannelInboxEvent.id)
        .limit(limit)
    )
    return list(rows)


async def finish_inbox_event(
    session: AsyncSession, *, event_id: int, now: datetime, error: str | None
) -> None:
    """Mark an event processed, or count a failed attempt with its error."""
    values: dict[str, Any] = {"attempts": ChannelInboxEvent.attempts + 1, "last_error": error}
    if error is None:
        values["processed_at"] = now
    await session.execute(
        update(ChannelInboxEvent).where(ChannelInboxEvent.id == event_id).values(**values)
    )


async def prune_inbox(session: AsyncSession, *, before: datetime) -> int:
    """Delete processed events received before `before` (they hold what people wrote)."""
    result = await session.execute(
        delete(ChannelInboxEvent).where(
            ChannelInboxEvent.processed_at.is_not(None), ChannelInboxEvent.received_at < before
        )
    )
    return result.rowcount or 0


def _inbox_of(external_id: str):  # type: ignore[no-untyped-def]
    """Webhook events sent by (or about) one platform account."""
    payload = ChannelInboxEvent.payload
    return or_(
        payload[("sender", "id")].as_string() == external_id,
        payload[("follower", "id")].as_string() == external_id,
    )


async def traces_of(session: AsyncSession, *, channel: str, external_id: str) -> dict[str, Any]:
    """What the channel tables keep about one account (the person's data export)."""
    refs = await session.scalars(
        select(ChannelMessageRef).where(
            ChannelMessageRef.channel == channel, ChannelMessageRef.chat_id == external_id
        )
    )
    found: dict[str, Any] = {
        "message_refs": [
            {"edit_key": ref.edit_key, "message_id": ref.message_id, "updated_at": ref.updated_at}
            for ref in refs
        ]
    }
    if channel == "zalo_oa":
        contact = await get_oa_contact(session, user_id=external_id)
        if contact is not None:
            found["zalo_oa_contact"] = {
                "last_interaction_at": contact.last_interaction_at,
                "following": contact.following,
            }
        events = await session.scalars(
            select(ChannelInboxEvent).where(
                ChannelInboxEvent.channel == channel, _inbox_of(external_id)
            )
        )
        found["webhook_events"] = [
            {"received_at": e.received_at, "payload": e.payload} for e in events
        ]
    return found


async def forget_account(session: AsyncSession, *, channel: str, external_id: str) -> None:
    """Delete what the channel tables keep about one account (personal-data erasure): message
    refs of their chat, their Zalo OA contact and the webhook events they sent that were
    processed (one still being processed — the erasure request itself — goes with the regular
    pruning of processed events)."""
    await session.execute(
        delete(ChannelMessageRef).where(
            ChannelMessageRef.channel == channel, ChannelMessageRef.chat_id == external_id
        )
    )
    if channel == "zalo_oa":
        await session.execute(delete(ZaloOaContact).where(ZaloOaContact.user_id == external_id))
        await session.execute(
            delete(ChannelInboxEvent).where(
                ChannelInboxEvent.channel == channel,
                ChannelInboxEvent.processed_at.is_not(None),
                _inbox_of(external_id),
            )
        )
