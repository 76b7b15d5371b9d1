"""Taking quizzes in a conversation: pass, fail, time limit, double taps, stale and foreign
buttons, restart in the middle, practice mode, and progress and rank after a pass."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.replies import Toast
from bot.storage.repositories import quiz_attempts as attempt_repo
from tests.helpers.chat import Chat
from tests.quiz.factories import add_result, make_staff, make_target
from tests.quiz.helpers import (
    answer_action,
    answer_all,
    attempt_id_of,
    register_citizen,
    register_staff,
)

KSC = "ky-nang-so-co-ban"


async def _start_counted(chat: Chat) -> int:
    await chat.converse("""
        > /kiemtra
        < Anh/chị chọn bộ câu hỏi
        > [Kỹ năng số cơ bản]
        < bài chính thức
        > [Làm bài chính thức]
        < Câu 1/10
        < Anh/chị có 60 giây
    """)
    return attempt_id_of(chat)


async def _someone_passed_in_stc_vp(chat: Chat) -> None:
    """Someone in another unit passed: 1 of 40 (2,5 %) puts that unit first. The chat's person
    registers in SKHCN-VP (headcount 8)."""
    stc_vp = (await chat.bot.services.units.search("STC-VP")).units[0]
    other = await make_staff(chat.bot, stc_vp.id, "Trần Văn Bình")
    await add_result(chat.bot, other, KSC, 0.9, datetime(2026, 5, 20, tzinfo=UTC))
    await register_staff(chat, "SKHCN-VP")


async def test_pass_updates_results_progress_and_rank(chat: Chat) -> None:
    bot = chat.bot
    await make_target(bot, code="KSC-2026", unit="UBND", sets=(KSC,))
    await _someone_passed_in_stc_vp(chat)
    await chat.converse("""
        > /thidua
        < Bảng thi đua: Chỉ tiêu KSC-2026
        < 1. Văn phòng Sở Tài chính: 2,5% (1/40)
        < Đơn vị của anh/chị: hạng 2/
    """)
    await _start_counted(chat)
    await answer_all(chat, right=9)
    turn = chat.last
    assert turn is not None
    assert "Câu 10/10: Chưa đúng" in turn.text
    assert "đúng 9/10 câu (90%)" in turn.text and "Đạt (yêu cầu từ 80%)" in turn.text
    assert "Các câu cần xem lại" in turn.text
    assert "📌 Chỉ tiêu KSC-2026: đơn vị của anh/chị đã đạt 12,5% (chỉ tiêu 80%" in turn.text
    await chat.converse("""
        > /ketqua
        < 1 bài chính thức, đạt 1 bài
        < Kỹ năng số cơ bản: 9/10 (90%) — Đạt
        < ✅ Chỉ tiêu KSC-2026 (hạn 30/06/2026): anh/chị đã đạt. Đơn vị: 12,5%
        > /thidua
        < 1. Văn phòng Sở Khoa học và Công nghệ: 12,5% (1/8)
        < 2. Văn phòng Sở Tài chính: 2,5% (1/40)
        < Đơn vị của anh/chị: hạng 1/
    """)


async def test_failed_attempt_shows_review_and_what_remains(chat: Chat) -> None:
    await make_target(chat.bot, code="KSC-2026", unit="UBND", sets=(KSC,))
    await register_staff(chat, "SKHCN-VP")
    await _start_counted(chat)
    await answer_all(chat, right=7)
    assert chat.last is not None
    text = chat.last.text
    assert "đúng 7/10 câu (70%)" in text and "Chưa đạt (cần từ 80%)" in text
    assert text.count("✔ Đáp án đúng") == 3
    await chat.converse("""
        > /ketqua
        < 1 bài chính thức, đạt 0 bài
        < 7/10 (70%) — Chưa đạt
        < anh/chị còn 1 bộ cần đạt: Kỹ năng số cơ bản
    """)


async def test_late_answer_is_recorded_as_timed_out(chat: Chat, clock: FrozenClock) -> None:
    await register_staff(chat, "SKHCN")
    attempt_id = await _start_counted(chat)
    clock.advance(timedelta(seconds=59))
    await chat.act(await answer_action(chat.bot, attempt_id, right=True))
    assert "Câu 1/10: Đúng rồi" in chat.last.text  # type: ignore[union-attr]
    clock.advance(timedelta(seconds=61))
    await chat.act(await answer_action(chat.bot, attempt_id, right=True))
    assert chat.last is not None
    assert "Câu 2/10: Đã quá 60 giây" in chat.last.text and "Câu 3/10" in chat.last.text
    async with chat.bot.db.transaction() as session:
        answers = await attempt_repo.answers(session, attempt_id=attempt_id)
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
    assert [(a.correct, a.timed_out, a.chosen is None) for a in answers] == [
        (True, False, False),
        (False, True, True),
    ]
    assert attempt is not None and attempt.correct_count == 1


async def test_double_tap_counts_once(chat: Chat) -> None:
    await register_staff(chat, "SKHCN")
    attempt_id = await _start_counted(chat)
    action = await answer_action(chat.bot, attempt_id, right=True)
    await chat.act(action)
    second = await chat.act(action)
    # One short note, never the next question again (its buttons are on screen already).
    assert [type(reply) for reply in second.replies] == [Toast]
    assert "Câu 1 anh/chị đã trả lời rồi" in second.text and "Câu 2/10" not in second.text
    async with chat.bot.db.transaction() as session:
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
        assert attempt is not None and attempt.correct_count == 1 and attempt.current_index == 1
        assert len(await attempt_repo.answers(session, attempt_id=attempt_id)) == 1
    third = await chat.say("B")  # the choices still open are the current question's
    assert "Câu 2/10" in third.text


async def test_a_press_on_a_timed_out_question_says_so(chat: Chat, clock: FrozenClock) -> None:
    await register_staff(chat, "SKHCN")
    attempt_id = await _start_counted(chat)
    action = await answer_action(chat.bot, attempt_id, right=True)
    clock.advance(timedelta(seconds=61))
    await chat.act(action)  # too late: recorded as timed out, the next question is shown
    again = await chat.act(action)
    assert [type(reply) for reply in again.replies] == [Toast]
    assert "Câu 1 đã hết giờ" in again.text and "đã trả lời rồi" not in again.text


async def test_two_workers_answering_at_once_count_once(
    chat: Chat, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two deliveries of the same tap in two bot processes (no shared lock): both read the
    attempt at question 1 before either writes; one answer is recorded, the other is a
    duplicate, and the attempt moves by one question."""
    user_id = await register_staff(chat, "SKHCN")
    attempt_id = await _start_counted(chat)
    both_read = asyncio.Barrier(2)
    read = attempt_repo.read

    async def read_then_wait(connection, **keys):  # type: ignore[no-untyped-def]
        found = await read(connection, **keys)
        await both_read.wait()
        return found

    monkeypatch.setattr(attempt_repo, "read", read_then_wait)
    attempts = chat.bot.services.quiz.attempts
    outcomes = await asyncio.gather(*(attempts.answer(user_id, attempt_id, 0, 1) for _ in "ab"))
    assert sorted(o.kind.value for o in outcomes) == ["accepted", "duplicate"]
    async with chat.bot.db.transaction() as session:
        attempt = await attempt_repo.get(session, attempt_id=attempt_id)
        assert attempt is not None and attempt.current_index == 1
        assert len(await attempt_repo.answers(session, attempt_id=attempt_id)) == 1


async def test_stale_and_foreign_buttons_are_refused(bot: BotApp) -> None:
    mine, other = Chat(bot, user_id="u1"), Chat(bot, user_id="u2")
    await register_staff(mine, "SKHCN")
    await register_staff(other, "SYT", name="Lê Văn Tâm")
    attempt_id = await _start_counted(mine)
    stale = f"quiz:a:{attempt_id}:5:0"
    turn = await mine.act(stale)
    assert "thuộc câu hỏi khác" in turn.text and "Câu 1/10" not in turn.text  # no re-post
    foreign = await other.act(await answer_action(bot, attempt_id, right=True))
    assert "bài kiểm tra của người khác" in foreign.text
    await mine.act(await answer_action(bot, attempt_id, right=True))
    assert "Câu 1/10: Đúng rồi" in mine.last.text  # type: ignore[union-attr]
    forged = await mine.act("quiz:a:999999:0:0")
    assert "Không tìm thấy bài kiểm tra" in forged.text
    await mine.converse("""
        > /huy
        < Anh/chị muốn bỏ bài
        > [Bỏ bài này]
        < Đã bỏ bài đang làm
    """)
    assert "đã kết thúc" in (await mine.act(f"quiz:a:{attempt_id}:1:0")).text


async def test_attempt_resumes_after_restart(chat: Chat, clock: FrozenClock) -> None:
    await register_staff(chat, "SKHCN")
    attempt_id = await _start_counted(chat)
    for _ in range(3):
        await chat.act(await answer_action(chat.bot, attempt_id, right=True))
    await chat.bot.close()
    restarted = BotApp.build(chat.bot.settings, clock=clock)
    try:
        again = Chat(restarted, user_id=chat.user_id)
        clock.advance(timedelta(seconds=20))
        await again.converse("""
            > /kiemtra
            < đang làm dở bài "Kỹ năng số cơ bản" (câu 4/10)
            > [Làm tiếp]
            < Câu 4/10 (tiếp tục bài đang làm)
            < Còn 40 giây
        """)
        await again.act(await answer_action(restarted, attempt_id, right=True))
        assert "Câu 4/10: Đúng rồi" in again.last.text  # type: ignore[union-attr]
        # Typing the letter works too (Zalo has no buttons).
        turn = await again.say("A")
        assert "Câu 5/10" in turn.text and "Câu 6/10" in turn.text
        # Coming back after the time ran out: that question is timed out, the next one shown.
        clock.advance(timedelta(minutes=5))
        turn = await again.act(f"quiz:r:{attempt_id}")
        assert "Câu 6/10: Đã quá 60 giây" in turn.text and "Câu 7/10" in turn.text
    finally:
        await restarted.close()


async def test_practice_never_counts(bot: BotApp) -> None:
    target_id = await make_target(bot, code="KSC-2026", unit="UBND", sets=(KSC,))
    citizen, staff = Chat(bot, user_id="c1"), Chat(bot, user_id="s1")
    await register_citizen(citizen)
    await citizen.converse("""
        > /kiemtra
        < bài luyện tập
        > [Kỹ năng số cơ bản]
        < (luyện tập) — Câu 1/10
    """)
    await answer_all(citizen, right=10)
    assert "Đây là bài luyện tập nên không tính" in citizen.last.text  # type: ignore[union-attr]
    staff_id = await register_staff(staff, "SKHCN-VP")
    await staff.converse("""
        > /kiemtra
        > [Kỹ năng số cơ bản]
        > [Luyện tập]
        < (luyện tập) — Câu 1/10
    """)
    await answer_all(staff, right=10)
    assert "không tính vào kết quả" in staff.last.text  # type: ignore[union-attr]
    assert staff_id in await bot.services.quiz.staff_below_target(target_id)
    unit = (await bot.services.units.search("SKHCN-VP")).units[0]
    [progress] = await bot.services.quiz.unit_progress(unit.id)
    assert progress.passed == 0 and progress.registered == 1
    await staff.converse("""
        > /ketqua
        < 0 bài chính thức, đạt 0 bài
        < (luyện tập)
    """)


async def test_unseen_questions_come_first_and_erasure_anonymises(chat: Chat) -> None:
    user_id = await register_staff(chat, "SKHCN")
    drawn: list[set[str]] = []
    for _ in range(3):
        await _start_counted(chat)
        attempt_id = attempt_id_of(chat)
        await answer_all(chat, right=10)
        async with chat.bot.db.transaction() as session:
            attempt = await attempt_repo.get(session, attempt_id=attempt_id)
            assert attempt is not None
            drawn.append(set(attempt.question_ids))
    assert not (drawn[0] & drawn[1]) and not (drawn[2] & (drawn[0] | drawn[1]))
    await chat.converse("""
        > /xoadulieu
        > [Xóa]
    """)
    async with chat.bot.db.transaction() as session:
        assert await attempt_repo.recent(session, user_id=user_id) == []
        anonymous = await attempt_repo.get(session, attempt_id=attempt_id)
        assert anonymous is not None and anonymous.user_id is None and anonymous.passed


async def test_leaderboard_choices_of_target_and_parent(chat: Chat) -> None:
    bot = chat.bot
    await make_target(bot, code="KSC-2026", unit="UBND", sets=(KSC,))
    await make_target(
        bot,
        code="KSC-2025",
        unit="UBND",
        sets=(KSC,),
        starts=date(2025, 1, 1),
        due=date(2025, 12, 31),
    )
    await _someone_passed_in_stc_vp(chat)
    await chat.converse("""
        > /thidua
        < Bảng thi đua: Chỉ tiêu KSC-2026
        < Phạm vi: UBND tỉnh Đắk Lắk.
        > [🔎 Sở Tài chính]
        < Phạm vi: Sở Tài chính.
        < 1. Văn phòng Sở Tài chính: 2,5% (1/40)
        > [Toàn bộ]
        < Phạm vi: UBND tỉnh Đắk Lắk.
        > [Chỉ tiêu khác]
        < Anh/chị chọn chỉ tiêu
        > [Chỉ tiêu KSC-2025 (hạn 31/12/2025)]
        < Bảng thi đua: Chỉ tiêu KSC-2025
        < 1. Bệnh viện Đa khoa vùng Tây Nguyên: 0% (0/39)
    """)
    assert "Đơn vị của anh/chị: hạng 1/" in chat.last.text  # type: ignore[union-attr]
    stale = await chat.act("qlb:t:999")
    assert "Chỉ tiêu này không còn nữa" in stale.text


async def test_results_before_any_attempt(chat: Chat) -> None:
    await make_target(chat.bot, code="KSC-2026", unit="UBND", sets=(KSC,))
    await register_staff(chat, "SKHCN-VP")
    await chat.converse("""
        > /ketqua
        < Anh/chị chưa làm bài kiểm tra nào
        < anh/chị còn 1 bộ cần đạt: Kỹ năng số cơ bản
    """)


async def test_two_starts_at_once_open_one_attempt(chat: Chat) -> None:
    user_id = await register_staff(chat, "SKHCN")
    attempts = chat.bot.services.quiz.attempts
    first, second = await asyncio.gather(
        attempts.start(user_id, KSC, practice=False), attempts.start(user_id, KSC, practice=False)
    )
    assert sorted([first.kind.value, second.kind.value]) == ["accepted", "busy"]
    assert first.question and second.question
    assert first.question.attempt_id == second.question.attempt_id


async def test_no_attempt_yet_is_offered_a_first_quiz_not_another(chat: Chat) -> None:
    for register in (register_citizen, lambda c: register_staff(c, "SKHCN")):
        await register(chat)
        turn = await chat.say("/ketqua")
        labels = [label for label, _ in turn.buttons]
        assert "📝 Làm bài kiểm tra" in labels and "📝 Làm bài khác" not in labels
