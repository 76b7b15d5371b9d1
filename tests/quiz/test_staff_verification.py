"""Issue 12, item 6: a leaderboard that reflects real staff.

Self-declared staff count for nothing until confirmed (the unit's roster with a personal
identifier, a manager's Đúng, or an administrator); unconfirmed attempts count once confirmed;
confirmations past the headcount need the manager's explicit second "yes" and the manager is
warned; requests reach managers through the outbox; forged or foreign buttons do nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.services.users import Role
from bot.storage.models import OutboxMessage
from tests.helpers.chat import Chat
from tests.quiz.factories import SETS, add_result, load_tree, make_staff, make_target


async def _register(bot: BotApp, chat: Chat, unit: str, name: str) -> Chat:
    """Register through the chat, as anyone can."""
    await chat.converse(f"""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        > {unit}
    """)
    # a list to choose from (an exact name is taken without a tap)
    if chat.last is not None and any(unit in label for label, _ in chat.last.buttons):
        await chat.press(unit)
    await chat.say(name)
    await chat.say("Chuyên viên")
    return chat


async def _pass_all(bot: BotApp, chat: Chat, clock: FrozenClock) -> None:
    profile = await bot.services.users.find(channel=chat.channel, external_id=chat.user_id)
    assert profile is not None
    for slug in SETS:
        await add_result(bot, profile.id, slug, 1.0, clock.now() - timedelta(hours=2))


async def _row(bot: BotApp, target_id: int, code: str):  # type: ignore[no-untyped-def]
    board = await bot.services.quiz.progress.leaderboard(target_id)
    assert board is not None
    rows = {row.code: row for row in board.rows}
    return rows.get(code), board


async def _web_person(bot: BotApp, index: int) -> Chat:
    token = await bot.services.web_sessions.create(f"198.51.100.{index}")
    user_id = await bot.services.web_sessions.resolve(token)
    assert user_id is not None
    return Chat(bot, channel="web", user_id=user_id)


async def test_self_declared_web_staff_do_not_move_the_leaderboard(
    bot: BotApp, clock: FrozenClock
) -> None:
    """The issue's repro: a unit at 3/8 passed; one person registers five web "staff" who pass
    everything. Before: 8/8 and rank 1. Now: still 3/8 until a manager confirms anyone."""
    units = await load_tree(bot)
    async with bot.db.transaction() as session:
        from bot.storage.models import Unit

        (await session.get(Unit, units["QA"])).headcount = 8  # type: ignore[union-attr]
    target = await make_target(bot, unit="QROOT")
    for number in range(3):
        staff_id = await make_staff(bot, units["QA"], f"Người Thật {'ABC'[number]}")
        for slug in SETS:
            await add_result(bot, staff_id, slug, 0.9, clock.now() - timedelta(days=1))
    manager_id = await make_staff(bot, units["QA"], "Trưởng phòng A", channel="test")
    await bot.services.users.grant(
        channel="test",
        external_id=f"staff-{units['QA']}-Trưởng phòng A",
        role=Role.MANAGER,
        unit_code="QA",
    )
    manager = Chat(bot, user_id=f"staff-{units['QA']}-Trưởng phòng A")
    before, _ = await _row(bot, target, "QA")
    assert (before.passed, before.headcount) == (3, 8)

    fakes = []
    for index in range(5):
        fake = await _register(
            bot, await _web_person(bot, index), "Đơn vị A", f"Cán bộ Ảo {'ABCDE'[index]}"
        )
        assert "chờ" in fake.last.text or "lãnh đạo" in fake.last.text  # type: ignore[union-attr]
        await _pass_all(bot, fake, clock)
        fakes.append(fake)
    after, board = await _row(bot, target, "QA")
    assert (after.passed, after.headcount) == (3, 8)
    assert board.totals[1] == 4  # registered (counted) staff: the 3 + the manager, not the fakes

    # Each request reached the manager once, through the outbox, with Đúng/Không buttons.
    async with bot.db.transaction() as session:
        requests = (
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.purpose == "verify", OutboxMessage.recipient_id == manager_id)
                .order_by(OutboxMessage.id)
            )
        ).all()
    assert len(requests) == 5
    assert "Cán bộ Ảo A" in requests[0].payload[0]["text"]

    # The manager sees who waits in /donvi and confirms one: their earlier passes count now.
    turn = await manager.say("/donvi")
    assert "Chờ anh/chị xác nhận là cán bộ của đơn vị (5 người)" in turn.text
    turn = await manager.press("✅ Cán bộ Ảo A")
    assert "Đã xác nhận Cán bộ Ảo A" in turn.text and "(5/8" in turn.text
    assert turn.notices and "đã xác nhận anh/chị" in turn.notices[0].replies[0].text  # type: ignore[attr-defined]
    after, _ = await _row(bot, target, "QA")
    assert after.passed == 4
    no = next(a for label, a in turn.buttons if label.startswith("❌") and "Ảo B" in label)
    turn = await manager.act(no)
    assert "không phải cán bộ" in turn.text
    after, _ = await _row(bot, target, "QA")
    assert after.passed == 4

    # A rejected person asking again does not bother the manager again.
    turn = await fakes[1].act("stf:start")
    assert "chưa xác nhận anh/chị" in turn.text

    # Past the headcount the manager must say yes twice, and /donvi warns while it lasts.
    for index in (2, 3, 4):
        await manager.act(f"stf:ok:{await _id(bot, fakes[index])}:{units['QA']}")
    extra = await _register(bot, await _web_person(bot, 9), "Đơn vị A", "Người Thứ Chín")
    extra_id = await _id(bot, extra)
    turn = await manager.act(f"stf:ok:{extra_id}:{units['QA']}")
    assert "nhiều hơn biên chế (8)" in turn.text and "Vẫn xác nhận" in turn.shown
    after, _ = await _row(bot, target, "QA")
    assert after.passed == 7
    await manager.press("Vẫn xác nhận")
    count = await bot.services.staff.headcount(units["QA"])
    assert (count.counted, count.headcount, count.over) == (9, 8, True)
    turn = await manager.say("/donvi")
    assert "nhiều hơn biên chế (8)" in turn.text
    after, _ = await _row(bot, target, "QA")
    assert after.passed == 7 and after.rate == 7 / 8  # passes are still capped by the headcount


async def _id(bot: BotApp, chat: Chat) -> int:
    profile = await bot.services.users.find(channel=chat.channel, external_id=chat.user_id)
    assert profile is not None
    return profile.id


async def test_roster_proof_confirms_one_person_per_entry(bot: BotApp, clock: FrozenClock) -> None:
    await load_tree(bot)
    report = await bot.services.quiz.roster.import_text(
        "unit_code,full_name,position,phone,email,staff_code\n"
        "QB,Nguyễn Thị Hoa,Chuyên viên,0905123456,,\n"
        "QB,Trần Văn Nam,Kế toán,,nam.tv@example.vn,\n"
        "QB,Lê Văn Tư,Văn thư,,,CB-0042\n"
    )
    assert report.ok, report.errors
    target = await make_target(bot, unit="QROOT")

    hoa = await _register(bot, Chat(bot, user_id="hoa"), "Đơn vị B", "Nguyễn Thị Hoa")
    assert "số điện thoại, e-mail hoặc mã cán bộ" in hoa.last.text  # type: ignore[union-attr]
    await _pass_all(bot, hoa, clock)
    turn = await hoa.say("0905 000 000")
    assert "chưa khớp" in turn.text and "0905" not in turn.text and "Còn 2 lần" in turn.text
    turn = await hoa.say("+84 905 123 456")
    assert "đã được xác nhận là cán bộ của Đơn vị B" in turn.text
    row, _ = await _row(bot, target, "QB")
    assert row.passed == 1  # the passes made before the confirmation count now
    state = await bot.engine._store.load(  # type: ignore[attr-defined]
        __import__("bot.core.state", fromlist=["ConversationKey"]).ConversationKey("test", "hoa")
    )
    assert "0905" not in str(state.data)  # the proof is compared, never kept

    # The same name again: the entry is taken, so a manager decides.
    twin = await _register(bot, Chat(bot, user_id="hoa-2"), "Đơn vị B", "Nguyễn Thị Hoa")
    assert "số điện thoại" not in twin.last.text  # type: ignore[union-attr]
    assert "lãnh đạo" in twin.last.text  # type: ignore[union-attr]

    nam = await _register(bot, Chat(bot, user_id="nam"), "Đơn vị B", "Trần Văn Nam")
    assert "đã được xác nhận" in (await nam.say("Nam.TV@example.vn")).text
    tu = await _register(bot, Chat(bot, user_id="tu"), "Đơn vị B", "Lê Văn Tư")
    for wrong in ("CB-0001", "CB-0002", "CB-0003"):
        turn = await tu.say(wrong)
    assert "chưa có lãnh đạo" in turn.text or "đã gửi yêu cầu" in turn.text
    assert not (await bot.services.users.find(channel="test", external_id="tu")).staff_confirmed  # type: ignore[union-attr]

    # Not in the roster at all: straight to the managers; nobody manages QB or above → admin.
    other = await _register(bot, Chat(bot, user_id="x"), "Đơn vị B", "Người Ngoài Danh Sách")
    assert "chưa có lãnh đạo dùng Trợ lý" in other.last.text  # type: ignore[union-attr]


async def test_roster_proof_stops_at_the_headcount(bot: BotApp) -> None:
    units = await load_tree(bot)
    await bot.services.quiz.roster.import_text(
        "unit_code,full_name,position,phone\nQC,Đinh Văn Một,CV,0911111111\n"
        "QC,Đinh Văn Hai,CV,0922222222\nQC,Đinh Văn Ba,CV,0933333333\n"
    )
    assert (await bot.services.staff.headcount(units["QC"])).headcount == 2
    for number, (name, phone) in enumerate(
        [("Đinh Văn Một", "0911111111"), ("Đinh Văn Hai", "0922222222")]
    ):
        chat = await _register(bot, Chat(bot, user_id=f"c{number}"), "Đơn vị C", name)
        assert "đã được xác nhận" in (await chat.say(phone)).text
    third = await _register(bot, Chat(bot, user_id="c3"), "Đơn vị C", "Đinh Văn Ba")
    turn = await third.say("0933333333")
    assert "đã được xác nhận" not in turn.text  # the unit is full: a manager must decide
    assert (await bot.services.staff.headcount(units["QC"])).counted == 2


async def test_manager_buttons_are_checked(bot: BotApp) -> None:
    units = await load_tree(bot)
    person = await _register(bot, Chat(bot, user_id="p"), "Đơn vị D", "Phan Văn Đề")
    person_id = await _id(bot, person)
    await make_staff(bot, units["QE"], "Lãnh đạo E")
    await bot.services.users.grant(
        channel="test",
        external_id=f"staff-{units['QE']}-Lãnh đạo E",
        role=Role.MANAGER,
        unit_code="QE",
    )
    other = Chat(bot, user_id=f"staff-{units['QE']}-Lãnh đạo E")
    assert "không phải lãnh đạo" in (await other.act(f"stf:ok:{person_id}:{units['QD']}")).text
    for forged in (f"stf:ok:{person_id}:{units['QE']}", "stf:ok:999999:1", "stf:ok:x:y", "stf:ok"):
        assert "Nút này đã cũ" in (await other.act(forged)).text, forged
    assert "Nút này đã cũ" in (await person.act(f"stf:ok:{person_id}:{units['QD']}")).text
    assert not (await bot.services.users.get(person_id)).staff_confirmed  # type: ignore[union-attr]

    # A manager of a unit above (the group) may confirm; moving unit needs a new confirmation.
    await make_staff(bot, units["QROOT"], "Lãnh đạo khối")
    await bot.services.users.grant(
        channel="test",
        external_id=f"staff-{units['QROOT']}-Lãnh đạo khối",
        role=Role.MANAGER,
        unit_code="QROOT",
    )
    head = Chat(bot, user_id=f"staff-{units['QROOT']}-Lãnh đạo khối")
    assert "Đã xác nhận" in (await head.act(f"stf:ok:{person_id}:{units['QD']}")).text
    assert (await bot.services.users.get(person_id)).staff_confirmed  # type: ignore[union-attr]
    await bot.services.users.update_profile(person_id, unit_id=units["QE"])
    assert not (await bot.services.users.get(person_id)).staff_confirmed  # type: ignore[union-attr]
    turn = await person.say("/hoso")
    assert "đang chờ" in turn.text and "Xác nhận là cán bộ" in turn.shown


async def test_an_unconfirmed_attempt_says_it_counts_once_confirmed(bot: BotApp) -> None:
    from tests.quiz.helpers import answer_all

    await load_tree(bot)
    chat = await _register(bot, Chat(bot, user_id="q"), "Đơn vị G", "Vũ Thị Chờ")
    await chat.say("/kiemtra")
    await chat.press("Kỹ năng số cơ bản")
    await chat.press("Làm bài chính thức")
    await answer_all(chat, right=10)
    assert "chưa được tính cho đơn vị" in chat.last.text  # type: ignore[union-attr]
    assert "sẽ được tính khi anh/chị được xác nhận" in chat.last.text  # type: ignore[union-attr]
