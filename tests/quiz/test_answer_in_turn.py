"""A quiz answer recorded in a turn (a button press) joins the turn's transaction without a
savepoint of its own: the savepoint cost two round trips per answer and bought nothing, as any
error in recording ends the turn and rolls it back whole — the answer with the state and the
claim of the update, in one commit."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from bot.app import BotApp
from bot.storage.repositories import quiz_attempts as attempt_repo
from tests.helpers.chat import Chat
from tests.quiz.helpers import answer_action, attempt_id_of, register_staff


async def _started(chat: Chat) -> int:
    await register_staff(chat, "SKHCN-VP")
    await chat.converse("""
        > /kiemtra
        < Anh/chị chọn bộ câu hỏi
        > [Kỹ năng số cơ bản]
        < bài chính thức
        > [Làm bài chính thức]
        < Câu 1/10
    """)
    return attempt_id_of(chat)


def _statements_of_answers(bot: BotApp, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements run while `attempts.answer` runs (the rest of the turn left out)."""
    seen: list[str] = []
    inside = [False]

    def record(*args: object) -> None:
        if inside[0]:
            seen.append(str(args[2]).split()[0].upper())

    event.listen(bot.db.engine.sync_engine, "before_cursor_execute", record)
    attempts = bot.services.quiz.attempts
    answer = attempts.answer

    async def watched(*args: object, **kwargs: object) -> object:
        inside[0] = True
        try:
            return await answer(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            inside[0] = False

    monkeypatch.setattr(attempts, "answer", watched)
    return seen


async def test_an_answer_in_a_turn_takes_no_savepoint(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt_id = await _started(chat)
    action = await answer_action(chat.bot, attempt_id, right=True)
    seen = _statements_of_answers(chat.bot, monkeypatch)
    await chat.act(action)
    assert seen  # the answer was recorded in this turn
    assert "SAVEPOINT" not in seen and "RELEASE" not in seen, seen
    async with chat.bot.db.transaction() as session:
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
    assert attempt is not None and attempt.current_index == 1


async def test_an_error_after_the_answer_rolls_the_answer_back_with_the_turn(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempt_id = await _started(chat)
    action = await answer_action(chat.bot, attempt_id, right=True)
    from bot.handlers import quiz as quiz_handlers

    async def broken(*_: object, **__: object) -> None:
        raise RuntimeError("after the answer")

    monkeypatch.setattr(quiz_handlers, "_after_answer", broken)
    await chat.act(action)  # the person gets the error message; nothing of the turn is kept
    async with chat.bot.db.transaction() as session:
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
        recorded = await attempt_repo.answers(session, attempt_id=attempt_id)
    assert attempt is not None and attempt.current_index == 0 and recorded == []
