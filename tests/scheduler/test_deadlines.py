"""Deadlines: reminders at the right local times, once; quiet hours; audiences; cancelling."""

from __future__ import annotations

import asyncio

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec
from bot.scheduler.timing import parse_offsets
from tests.scheduler.helpers import RecordingSender, first_text, local, outbox, person, unit_id


async def define(
    bot: BotApp,
    due: str,
    audience: Audience,
    *,
    code: str = "bao-cao-q2",
    offsets: str | None = None,
    urgent: bool = False,
) -> int:
    view, _ = await bot.services.reminders.deadlines.define(
        DeadlineSpec(
            code=code,
            title="Nộp báo cáo chuyển đổi số quý II",
            due_at=local(due),
            audience=audience,
            offsets=tuple(parse_offsets(offsets)),
            urgent=urgent,
        )
    )
    return view.id


async def sweep_at(bot: BotApp, clock: FrozenClock, moment: str) -> int:
    clock.set(local(moment))
    return (await bot.services.reminders.sweeper.run()).messages


async def test_reminders_fire_at_each_offset_in_local_time_and_only_once(
    bot: BotApp, clock: FrozenClock
) -> None:
    inside = await person(bot, "1", unit="SKHCN")
    below = await person(bot, "2", unit="SKHCN-VP")  # under SKHCN
    await person(bot, "3", unit="SYT")  # another department
    await person(bot, "4")  # a citizen
    audience = Audience(AudienceKind.UNITS, (await unit_id(bot, "SKHCN"),), subunits=True)
    await define(bot, "30/06/2026 17:00", audience)

    assert await sweep_at(bot, clock, "23/06/2026 16:59") == 0
    assert await sweep_at(bot, clock, "23/06/2026 17:00") == 2
    assert await sweep_at(bot, clock, "23/06/2026 17:01") == 0  # swept again: nothing new
    rows = await outbox(bot, purpose="deadline")
    assert sorted(row.recipient_id for row in rows) == sorted([inside, below])
    assert first_text(rows[0]).startswith(
        "⏰ Còn 7 ngày (đến 17:00 30/06/2026): Nộp báo cáo chuyển đổi số quý II."
    )
    assert rows[0].payload[0]["buttons"][0][0] == ["✅ Đã nhận", f"ack:{rows[0].deadline_id}"]

    assert await sweep_at(bot, clock, "27/06/2026 17:00") == 2
    assert await sweep_at(bot, clock, "29/06/2026 17:00") == 2
    assert await sweep_at(bot, clock, "30/06/2026 08:00") == 2
    texts = [first_text(row) for row in await outbox(bot, recipient_id=inside)]
    assert [text.split(" (")[0] for text in texts] == [
        "⏰ Còn 7 ngày",
        "⏰ Còn 3 ngày",
        "⏰ Còn 1 ngày",
        "⏰ Hôm nay là hạn cuối",
    ]
    assert await sweep_at(bot, clock, "30/06/2026 18:00") == 0


async def test_overdue_reminder_goes_to_the_unit_managers_with_acknowledgements(
    bot: BotApp, clock: FrozenClock
) -> None:
    staff = [await person(bot, str(n), unit="SKHCN") for n in range(3)]
    manager = await person(bot, "boss", unit="SKHCN", manager_of="SKHCN")
    other_manager = await person(bot, "other", unit="SYT", manager_of="SYT")
    deadline_id = await define(
        bot,
        "30/06/2026 17:00",
        Audience(AudienceKind.UNITS, (await unit_id(bot, "SKHCN"),)),
        offsets="1d",
    )
    await sweep_at(bot, clock, "29/06/2026 17:00")
    await bot.services.reminders.deadlines.acknowledge(staff[0], deadline_id)
    assert await sweep_at(bot, clock, "01/07/2026 07:59") == 0
    assert await sweep_at(bot, clock, "01/07/2026 08:00") == 1
    [row] = await outbox(bot, purpose="overdue")
    assert row.recipient_id == manager and row.recipient_id != other_manager
    assert 'Đã quá hạn "Nộp báo cáo chuyển đổi số quý II" (17:00 30/06/2026)' in first_text(row)
    assert "Sở Khoa học và Công nghệ: 1/4 người được nhắc" in first_text(row)


async def test_quiet_hours_hold_reminders_until_seven_unless_urgent(
    bot: BotApp, clock: FrozenClock
) -> None:
    await person(bot, "1", unit="SKHCN")
    await define(bot, "30/06/2026 23:30", Audience(AudienceKind.ALL_STAFF), offsets="1d")
    await define(
        bot,
        "30/06/2026 23:30",
        Audience(AudienceKind.ALL_STAFF),
        offsets="1d",
        code="khan",
        urgent=True,
    )
    assert await sweep_at(bot, clock, "29/06/2026 23:30") == 2
    normal, urgent = await outbox(bot, purpose="deadline")
    assert normal.available_at == local("30/06/2026 07:00")
    assert first_text(normal).startswith("⏰ Hôm nay là hạn cuối")  # as read at 07:00
    assert urgent.available_at == local("29/06/2026 23:30")

    channel = RecordingSender()
    sender = bot.services.reminders.sender({"telegram": channel})
    await sender.drain()
    assert len(channel.sent) == 1  # only the urgent one at night
    clock.set(local("30/06/2026 06:59"))
    await sender.drain()
    assert len(channel.sent) == 1
    clock.set(local("30/06/2026 07:00"))
    await sender.drain()
    assert len(channel.sent) == 2


async def test_a_late_deadline_sends_only_the_latest_due_reminder(
    bot: BotApp, clock: FrozenClock
) -> None:
    who = await person(bot, "1", unit="SYT")
    clock.set(local("29/06/2026 10:00"))
    await define(bot, "30/06/2026 17:00", Audience(AudienceKind.ALL_STAFF))
    assert await sweep_at(bot, clock, "29/06/2026 10:00") == 1
    [row] = await outbox(bot, recipient_id=who)
    assert first_text(row).startswith("⏰ Còn 1 ngày")
    report = (await bot.services.reminders.deadlines.report("bao-cao-q2"))[0]
    # 7d and 3d were both past when it was created: one reminder now ("còn 1 ngày"), not two.
    assert [(r.label, r.state) for r in report.rounds] == [
        ("7d", "superseded"),
        ("3d", "done"),
        ("1d", "pending"),
        ("morning", "pending"),
        ("overdue", "pending"),
    ]


async def test_a_moved_due_time_reschedules_and_a_cancelled_deadline_stays_silent(
    bot: BotApp, clock: FrozenClock
) -> None:
    await person(bot, "1", unit="SYT")
    await define(bot, "30/06/2026 17:00", Audience(AudienceKind.ALL_STAFF), offsets="1d")
    await define(bot, "10/07/2026 17:00", Audience(AudienceKind.ALL_STAFF), offsets="1d")
    assert await sweep_at(bot, clock, "29/06/2026 17:00") == 0
    assert await sweep_at(bot, clock, "09/07/2026 17:00") == 1
    await define(bot, "20/07/2026 17:00", Audience(AudienceKind.ALL_STAFF), offsets="1d,3d")
    assert await bot.services.reminders.deadlines.cancel("bao-cao-q2") is not None
    assert await sweep_at(bot, clock, "21/07/2026 09:00") == 0
    assert await bot.services.reminders.deadlines.cancel("khong-co") is None


async def test_sweeps_running_at_the_same_time_queue_each_reminder_once(
    bot: BotApp, clock: FrozenClock
) -> None:
    for n in range(30):
        await person(bot, str(n), unit="SYT")
    for code in ("a", "b", "c"):
        await define(
            bot, "30/06/2026 17:00", Audience(AudienceKind.ALL_STAFF), code=code, offsets="1d"
        )
    clock.set(local("29/06/2026 17:00"))
    sweeper = bot.services.reminders.sweeper
    reports = await asyncio.gather(*(sweeper.run() for _ in range(4)))
    assert sum(report.messages for report in reports) == 90
    rows = await outbox(bot, purpose="deadline")
    assert len(rows) == 90
    assert len({(row.recipient_id, row.occurrence) for row in rows}) == 90


async def test_staff_awaiting_confirmation_are_not_in_their_units_audience(
    bot: BotApp, clock: FrozenClock
) -> None:
    """Someone who only claims a unit neither receives its deadlines nor acknowledges for it:
    acknowledgements count in the unit's report (issue 12, items 5–6)."""
    confirmed = await person(bot, "1", unit="SKHCN")
    users = bot.services.users
    claimant = await users.touch(channel="telegram", external_id="2")
    await users.record_consent(claimant.id)
    await users.register_staff(
        claimant.id,
        unit_id=await unit_id(bot, "SKHCN"),
        full_name="Người tự nhận",
        position="Chuyên viên",
    )
    audience = Audience(AudienceKind.UNITS, (await unit_id(bot, "SKHCN"),), subunits=True)
    await define(bot, "30/06/2026 17:00", audience)

    assert await sweep_at(bot, clock, "23/06/2026 17:00") == 1
    assert [row.recipient_id for row in await outbox(bot, purpose="deadline")] == [confirmed]

    assert await bot.services.staff.confirm_by_admin(claimant.id)
    assert await sweep_at(bot, clock, "27/06/2026 17:00") == 2
