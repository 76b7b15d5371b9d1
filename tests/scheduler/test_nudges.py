"""Weekly progress nudges to staff below their unit's target, summaries to unit managers, and the
"staff below target" audience."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec
from bot.services.users import Role
from tests.quiz.factories import SETS, add_result, load_tree, make_staff, make_target
from tests.scheduler.helpers import first_text, local, outbox


async def unit_a(bot: BotApp) -> dict[str, int]:
    """Unit A (10 posts) of the quiz test tree: one who passed both sets, one who did not,
    and a manager who passed; unit B has one who did not."""
    units = await load_tree(bot)
    passed = await make_staff(bot, units["QA"], "Đã Đạt")
    behind = await make_staff(bot, units["QA"], "Chưa Đạt")
    boss = await make_staff(bot, units["QA"], "Lãnh Đạo")
    other = await make_staff(bot, units["QB"], "Đơn Vị B")
    await bot.services.users.grant(
        channel="test",
        external_id=f"staff-{units['QA']}-Lãnh Đạo",
        role=Role.MANAGER,
        unit_code="QA",
    )
    done_at = datetime(2026, 5, 20, 3, 0).astimezone()
    for user_id in (passed, boss):
        for slug in SETS:
            await add_result(bot, user_id, slug, 0.9, done_at)
    await make_target(bot, rate=0.8)
    return {"passed": passed, "behind": behind, "boss": boss, "other": other}


async def test_weekly_nudges_and_manager_summary_once_a_week(
    bot: BotApp, clock: FrozenClock
) -> None:
    people = await unit_a(bot)
    sweeper = bot.services.reminders.sweeper
    clock.set(local("01/06/2026 08:59"))  # a Monday; nudges go at 09:00
    assert (await sweeper.run()).nudges == 0
    clock.set(local("01/06/2026 09:00"))
    assert (await sweeper.run()).nudges == 3  # two people behind, one manager
    assert (await sweeper.run()).nudges == 0  # swept again the same week: nothing new

    [nudge] = await outbox(bot, recipient_id=people["behind"], purpose="nudge")
    assert (
        "Chỉ tiêu T2026: đơn vị của anh/chị đã đạt 20%/80%; còn 2 bài cần hoàn thành "
        "trước 30/06/2026." in first_text(nudge)
    )
    assert nudge.payload[0]["buttons"][0][0][1] == "cmd:kiemtra"
    assert await outbox(bot, recipient_id=people["passed"]) == []
    [summary] = await outbox(bot, recipient_id=people["boss"], purpose="summary")
    assert "Tiến độ của Đơn vị A trong tuần này" in first_text(summary)
    assert "đạt 20%/80% (2/10 người; 3 người đã đăng ký)" in first_text(summary)

    clock.advance(timedelta(days=7))
    assert (await sweeper.run()).nudges == 3  # the next week


async def test_below_target_audience_reaches_only_those_behind(
    bot: BotApp, clock: FrozenClock
) -> None:
    people = await unit_a(bot)
    deadlines = bot.services.reminders.deadlines
    await deadlines.define(
        DeadlineSpec(
            "hoan-thanh",
            "Hoàn thành bài kiểm tra còn thiếu",
            local("10/06/2026 17:00"),
            Audience(AudienceKind.BELOW_TARGET),
            offsets=("1d",),
        )
    )
    clock.set(local("09/06/2026 17:00"))
    await bot.services.reminders.sweeper.run()
    reminded = {row.recipient_id for row in await outbox(bot, purpose="deadline")}
    assert reminded == {people["behind"], people["other"]}
    assert [item.deadline.code for item in await deadlines.upcoming_for(people["behind"])] == [
        "hoan-thanh"
    ]
    assert await deadlines.upcoming_for(people["passed"]) == []
