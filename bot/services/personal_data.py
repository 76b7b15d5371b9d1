"""The account's own traces, for erasure and for the person's data export (/dulieucuatoi): the
profile, roles, conversation, web sessions, channel bookkeeping and logged questions.

Features keep their own parts (quiz, nominations, reminders, staff verification) and register an
eraser and an exporter with `UserService`; this module covers what belongs to the account itself.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.repositories import channels as channel_repo
from bot.storage.repositories import conversations as conversation_repo
from bot.storage.repositories import knowledge as knowledge_repo
from bot.storage.repositories import users as user_repo

WEB = "web"


async def erase_account_traces(session: AsyncSession, user_id: int) -> None:
    """Delete the conversation, web sessions, channel bookkeeping and logged questions of a
    person (their user row is deleted last, by `UserService.erase`)."""
    user = await user_repo.by_id(session, user_id=user_id)
    if user is None:
        return
    await conversation_repo.forget(session, channel=user.channel, user_id=user.external_id)
    await channel_repo.forget_account(session, channel=user.channel, external_id=user.external_id)
    if user.channel == WEB:
        await user_repo.delete_web_sessions(session, external_id=user.external_id)
    await knowledge_repo.delete_unanswered_of(session, user_id=user_id)
    await user_repo.revoke_all(session, user_id=user_id)


async def export_account_traces(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Everything of `erase_account_traces`'s scope, as plain data."""
    user = await user_repo.by_id(session, user_id=user_id)
    if user is None:
        return {}
    unit = await user_repo.unit_name(session, unit_id=user.unit_id) if user.unit_id else None
    conversation = await conversation_repo.get(
        session, channel=user.channel, user_id=user.external_id
    )
    found: dict[str, Any] = {
        "account": {
            "channel": user.channel,
            "platform_id": user.external_id,
            "first_contact_at": user.created_at,
            "last_seen_at": user.last_seen_at,
            "unreachable_reason": user.unreachable_reason,
        },
        "profile": {
            "kind": user.kind,
            "consent_at": user.consent_at,
            "consent_version": user.consent_version,
            "full_name": user.full_name,
            "position": user.position,
            "unit": unit,
            "registered_at": user.registered_at,
            "staff_confirmed_at": user.verified_at,
            "staff_confirmed_via": user.verified_via,
        },
        "roles": [
            {"role": grant.role, "unit_id": grant.unit_id, "granted_at": grant.granted_at}
            for grant in await user_repo.roles_of(session, user_id=user_id)
        ],
        "conversation": None
        if conversation is None
        else {
            "step": conversation.step,
            "data": conversation.data,
            "updated_at": conversation.updated_at,
        },
        "unanswered_questions": [
            {"question": row.question, "asked_at": row.created_at}
            for row in await knowledge_repo.unanswered_of(session, user_id=user_id)
        ],
    }
    if user.channel == WEB:
        found["web_sessions"] = [
            {"created_at": row.created_at, "last_used_at": row.last_used_at}
            for row in await user_repo.web_sessions_of(session, external_id=user.external_id)
        ]
    found.update(
        await channel_repo.traces_of(session, channel=user.channel, external_id=user.external_id)
    )
    return found


def export_file(data: dict[str, Any], *, exported_at: datetime) -> bytes:
    """The data export as a UTF-8 JSON file (times as ISO 8601 in UTC)."""
    document = {"exported_at": exported_at, "data": data}
    return json.dumps(document, ensure_ascii=False, indent=2, default=_plain).encode("utf-8")


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return str(value)
