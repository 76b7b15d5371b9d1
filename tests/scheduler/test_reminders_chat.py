"""/lichhan, the "Đã nhận" button, /nhantin and /huynhantin as conversations; tips; erasure."""

from __future__ import annotations

from datetime import timedelta

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.handlers.reminders import parse_hour
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec
from bot.scheduler.timing import parse_offsets
from tests.helpers.chat import Chat
from tests.quiz.helpers import register_citizen, register_staff
from tests.scheduler.helpers import first_text, local, outbox


async def add_deadline(
    bot: BotApp, code: str, title: str, due: str, kind: AudienceKind = AudienceKind.ALL_STAFF
) -> int:
    view, _ = await bot.services.reminders.deadlines.define(
        DeadlineSpec(
            code=code,
            title=title,
            due_at=local(due),
            audience=Audience(kind),
            offsets=tuple(parse_offsets(None)),
        )
    )
    return view.id


async def test_deadline_list_and_acknowledgement(chat: Chat, clock: FrozenClock) -> None:
    bot = chat.bot
    user_id = await register_staff(chat, "SYT")
    first = await add_deadline(bot, "q2", "Nộp báo cáo chuyển đổi số quý II", "30/06/2026 17:00")
    await add_deadline(
        bot, "atttt", "Hoàn thành bài kiểm tra An toàn thông tin", "15/06/2026 17:00"
    )
    await add_deadline(bot, "qua", "Việc đã qua", "20/05/2026 17:00")
    await add_deadline(bot, "qly", "Việc của lãnh đạo", "20/06/2026 17:00", AudienceKind.MANAGERS)
    turn = await chat.converse("""
        > /lichhan
        < Lịch hạn của anh/chị
        < Hoàn thành bài kiểm tra An toàn thông tin
        < Hạn: 17:00 15/06/2026 — Còn 14 ngày
        < Nộp báo cáo chuyển đổi số quý II
        < Hạn: 17:00 30/06/2026 — Còn 29 ngày
        < nhận một mẹo số mỗi ngày
    """)
    assert "Việc đã qua" not in turn.shown and "Việc của lãnh đạo" not in turn.shown
    assert turn.shown.index("An toàn thông tin") < turn.shown.index("quý II")  # soonest first

    await chat.converse("""
        > /lichhan
        > [Đã nhận: Nộp báo cáo]
        < Trợ lý đã ghi nhận anh/chị đã nhận thông báo "Nộp báo cáo chuyển đổi số quý II"
        > /lichhan
        < ✅ Đã nhận thông báo
    """)
    again = await chat.act(f"ack:{first}")
    assert "trước đó rồi" in again.text
    assert "Nút này đã cũ" in (await chat.act("ack:999999")).text  # an unknown deadline
    [report] = await bot.services.reminders.deadlines.report("q2")
    assert report.acknowledged == 1

    # A reminder after the acknowledgement carries no button, just the confirmation.
    clock.set(local("29/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    [row] = await outbox(bot, recipient_id=user_id, deadline_id=first)
    assert "Anh/chị đã xác nhận" in first_text(row)
    assert [b[1] for row_ in row.payload[0]["buttons"] for b in row_] == ["cmd:lichhan"]


async def test_citizens_see_no_deadlines_and_strangers_must_register(chat: Chat) -> None:
    await chat.converse("""
        > /lichhan
        < cần anh/chị đăng ký trước
    """)
    await register_citizen(chat)
    await add_deadline(chat.bot, "q2", "Nộp báo cáo", "30/06/2026 17:00")
    await chat.converse("""
        > /lichhan
        < Hiện anh/chị không có hạn nào sắp tới
    """)


async def test_subscribe_change_and_unsubscribe_daily_tips(chat: Chat) -> None:
    await register_citizen(chat)
    await chat.converse("""
        > /nhantin
        < Anh/chị muốn nhận lúc mấy giờ?
        < 8:00 (mặc định)
        > 25 giờ
        < "25 giờ" chưa phải là giờ Trợ lý hiểu được
        > 22
        < không gửi tin từ 21:00 tối đến 7:00 sáng
        > 5 giờ chiều
        < Anh/chị sẽ nhận mẹo đầu tiên lúc 17:00 hôm nay
        > /lichhan
        < Anh/chị đang nhận mẹo số mỗi ngày lúc 17:00
        > [Đổi giờ nhận mẹo]
        < đang nhận mẹo số mỗi ngày lúc 17:00
        > [8:00]
        < Đã đổi giờ nhận mẹo số mỗi ngày từ 17:00 sang 8:00, bắt đầu từ ngày mai
        > /nhantin 8
        < vẫn nhận mẹo số mỗi ngày lúc 8:00 như trước
        > /huynhantin
        < Anh/chị đã thôi nhận mẹo số mỗi ngày
        > /huynhantin
        < Anh/chị chưa đăng ký nhận mẹo số mỗi ngày
        > /nhantin 7
        < lúc 7:00
    """)


async def test_an_old_hour_button_changes_nothing(chat: Chat) -> None:
    user_id = await register_citizen(chat)
    await chat.converse("""
        > /nhantin
        > [12:00]
        < lúc 12:00
    """)
    turn = await chat.act("tip:hour:20")  # a button of that first question, pressed later
    assert "tin nhắn cũ" in turn.text and "lúc 12:00" in turn.text
    assert await chat.bot.services.reminders.tips.hour_of(user_id) == 12


def test_typed_hours_are_understood() -> None:
    assert [
        parse_hour(typed)
        for typed in ("8", "08:00", "8h", "8 giờ sáng", "9g", "5 giờ chiều", "20h00")
    ] == [8, 8, 8, 8, 9, 17, 20]
    assert [parse_hour(typed) for typed in ("8:30", "25", "tám giờ", "")] == [None] * 4


async def test_one_tip_a_day_at_the_chosen_hour_until_unsubscribed(
    chat: Chat, clock: FrozenClock
) -> None:
    bot = chat.bot
    user_id = await register_citizen(chat)
    await chat.say("/nhantin 8")  # 09:00 now: first tip tomorrow 08:00
    sweeper = bot.services.reminders.sweeper
    clock.set(local("02/06/2026 07:59"))
    assert (await sweeper.run()).tips == 0
    clock.set(local("02/06/2026 08:00"))
    assert (await sweeper.run()).tips == 1
    assert (await sweeper.run()).tips == 0
    clock.set(local("04/06/2026 12:00"))  # the bot was down on the 3rd: one tip, not two
    assert (await sweeper.run()).tips == 1
    rows = await outbox(bot, recipient_id=user_id, purpose="tip")
    tips = bot.services.knowledge.tips()
    assert tips[0].text in first_text(rows[0]) and "Mẹo số mỗi ngày" in first_text(rows[0])
    assert tips[1].text in first_text(rows[1])  # the next tip in order, whatever the gap
    assert [row.occurrence for row in rows] == ["tip:2026-06-02", "tip:2026-06-03"]
    await chat.say("/huynhantin")
    clock.advance(timedelta(days=2))
    assert (await sweeper.run()).tips == 0


async def test_erasure_removes_subscription_acknowledgements_and_messages(
    chat: Chat, clock: FrozenClock
) -> None:
    bot = chat.bot
    user_id = await register_staff(chat, "SYT")
    deadline_id = await add_deadline(bot, "q2", "Nộp báo cáo", "30/06/2026 17:00")
    await chat.say("/nhantin 8")
    await chat.act(f"ack:{deadline_id}")
    clock.set(local("23/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    assert await outbox(bot, recipient_id=user_id)
    await bot.services.users.erase(user_id)
    assert await outbox(bot, recipient_id=user_id) == []
    assert await bot.services.reminders.tips.hour_of(user_id) is None
    [report] = await bot.services.reminders.deadlines.report("q2")
    assert report.acknowledged == 0


async def test_only_the_audience_can_acknowledge_and_is_counted(
    chat: Chat, clock: FrozenClock
) -> None:
    """Issue 12, item 5: a forged or foreign "Đã nhận" button reveals nothing and counts for
    nothing; the report counts only the deadline's audience."""
    bot = chat.bot
    deadlines = bot.services.reminders.deadlines
    await register_staff(chat, "SYT")  # the audience: staff of Sở Y tế
    outsider = Chat(bot, user_id="u2")
    await register_staff(outsider, "SNV", name="Trần Văn Ngoài")
    citizen = Chat(bot, user_id="u3")
    await register_citizen(citizen)
    syt = (await bot.services.units.search("SYT")).units[0]
    secret_title = "Rà soát hồ sơ nhân sự nội bộ Sở Y tế"
    view, _ = await deadlines.define(
        DeadlineSpec(
            code="syt-only",
            title=secret_title,
            due_at=local("30/06/2026 17:00"),
            audience=Audience(AudienceKind.UNITS, (syt.id,)),
            offsets=tuple(parse_offsets(None)),
        )
    )
    stale = "Nút này đã cũ"
    for person in (outsider, citizen):
        for action in (f"ack:{view.id}", f"ack:{view.id}:x", "ack:-1", "ack:0", "ack:abc", "ack:"):
            turn = await person.act(action)
            assert stale in turn.text, (person.user_id, action, turn.text)
            assert secret_title not in turn.shown and "30/06/2026" not in turn.shown
    assert "đã ghi nhận" in (await chat.act(f"ack:{view.id}")).text

    # Reminded once: the person may still acknowledge after moving to another unit.
    clock.set(local("27/06/2026 09:00"))
    await bot.services.reminders.sweeper.run()
    [report] = await deadlines.report("syt-only")
    assert (report.recipients, report.acknowledged) == (1, 1)
    snv = (await bot.services.units.search("SNV")).units[0]
    await bot.services.users.update_profile(
        chat_id := await register_staff(chat, "SYT"), unit_id=snv.id
    )
    assert "trước đó rồi" in (await chat.act(f"ack:{view.id}")).text
    [report] = await deadlines.report("syt-only")
    assert report.acknowledged == 1
    await bot.services.users.update_profile(chat_id, unit_id=syt.id)

    # An acknowledgement recorded by the old code for someone outside the audience is not
    # counted in the report.
    from bot.storage.repositories import deadlines as deadline_repo

    outsider_id = (await bot.services.users.find(channel="test", external_id="u2")).id
    async with bot.db.transaction() as session:
        await deadline_repo.acknowledge(
            session, deadline_id=view.id, user_id=outsider_id, now=clock.now()
        )
    [report] = await deadlines.report("syt-only")
    assert report.acknowledged == 1

    # Cancelled: the audience is told it was cancelled; anyone else sees a stale button.
    await deadlines.cancel("syt-only")
    assert "đã được hủy" in (await chat.act(f"ack:{view.id}")).text
    turn = await outsider.act(f"ack:{view.id}")
    assert stale in turn.text and secret_title not in turn.shown
