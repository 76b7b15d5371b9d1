"""Helpers for quiz conversations: register as staff, and find the right (or a wrong) button."""

from __future__ import annotations

from bot.app import BotApp
from bot.storage.repositories import quiz_attempts as attempt_repo
from tests.helpers.chat import Chat


async def register_staff(chat: Chat, unit_code: str, name: str = "Nguyễn Thị Hòa") -> int:
    """Make the chat's person a registered staff member of a unit; returns their user id."""
    users = chat.bot.services.users
    profile = await users.touch(channel=chat.channel, external_id=chat.user_id)
    unit = (await chat.bot.services.units.search(unit_code)).units[0]
    await users.record_consent(profile.id)
    await users.register_staff(profile.id, unit_id=unit.id, full_name=name, position="Chuyên viên")
    assert await chat.bot.services.staff.confirm_by_admin(profile.id)  # counts for the unit
    return profile.id


async def register_citizen(chat: Chat) -> int:
    """Make the chat's person a registered citizen."""
    users = chat.bot.services.users
    profile = await users.touch(channel=chat.channel, external_id=chat.user_id)
    await users.record_consent(profile.id)
    await users.register_citizen(profile.id)
    return profile.id


async def answer_action(bot: BotApp, attempt_id: int, *, right: bool) -> str:
    """The button action answering the attempt's current question rightly or wrongly."""
    async with bot.db.transaction() as session:
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
        assert attempt is not None
        index = attempt.current_index
        bank = bot.services.quiz.banks[attempt.set_slug]
        question = bank.question(attempt.question_ids[index])
        assert question is not None
        order = attempt.option_orders[index]
    shown = order.index(question.correct)
    if not right:
        shown = (shown + 1) % len(order)
    return f"quiz:a:{attempt_id}:{index}:{shown}"


def attempt_id_of(chat: Chat) -> int:
    """The attempt id carried by the answer buttons of the last reply."""
    for _, action in chat.last.buttons if chat.last else []:
        if action.startswith("quiz:a:"):
            return int(action.split(":")[2])
    raise AssertionError("no answer buttons in the last reply")


async def answer_all(chat: Chat, *, right: int, total: int = 10) -> None:
    """Answer the remaining questions: the first `right` correctly, the rest wrongly."""
    attempt_id = attempt_id_of(chat)
    for number in range(total):
        await chat.act(await answer_action(chat.bot, attempt_id, right=number < right))
