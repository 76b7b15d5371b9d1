"""The dashboard's figures: totals per group of units, the weekly trend, quiz statistics with
the hardest questions, reminder delivery per deadline and nominations by status and category —
each for the roles that may see them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from bot.admin.dashboard import choose_target
from bot.app import BotApp
from bot.quiz.views import TargetView
from bot.scheduler.audience import Audience, AudienceKind
from bot.scheduler.deadlines import DeadlineSpec
from bot.services.users import Role
from bot.storage.repositories import quiz_stats as stats_repo
from tests.admin.conftest import link_token, person_with, sign_in_with_link
from tests.helpers.chat import Chat
from tests.nominations.forms import nominate_person
from tests.quiz.factories import add_result, load_tree, make_staff, make_target


def flat(html: str) -> str:
    """The page without the whitespace between tags (to read table rows)."""
    return re.sub(r">\s+<", "><", html)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=3, tzinfo=UTC)


async def meet(bot: BotApp, user_id: int, day: str) -> None:
    """Pass both sets of the test target on that day."""
    for slug in ("ky-nang-so-co-ban", "an-toan-thong-tin"):
        await add_result(bot, user_id, slug, 0.9, at(day))


async def sign_in(bot: BotApp, web: httpx.AsyncClient, who: str, role: Role, unit: str = "SKHCN"):  # type: ignore[no-untyped-def]
    chat = await person_with(bot, who, role, unit=unit)
    web.cookies.clear()
    assert (await sign_in_with_link(web, await link_token(chat))).status_code == 303


async def test_totals_per_group_and_the_weekly_trend(bot: BotApp, web: httpx.AsyncClient) -> None:
    ids = await load_tree(bot)
    target = await make_target(bot)
    await meet(bot, await make_staff(bot, ids["QA"], "A1"), "2026-03-10")
    await meet(bot, await make_staff(bot, ids["QA"], "A2"), "2026-05-20")
    await meet(bot, await make_staff(bot, ids["QF1"], "F1"), "2026-04-02")
    half = await make_staff(bot, ids["QB"], "B1")
    await add_result(bot, half, "ky-nang-so-co-ban", 0.9, at("2026-02-02"))

    await sign_in(bot, web, "boss", Role.ADMIN)
    page = flat((await web.get(f"/admin?target={target}")).text)
    # groups: the scope's direct sub-units, each with what is under it (F = F1)
    assert (
        '<tr class="behind"><td>Nhóm F</td><td>3</td><td>1</td><td>1</td><td>33,3%</td></tr>'
        in page
    )
    assert (
        '<tr class="behind"><td>Đơn vị A</td><td>10</td><td>2</td><td>2</td><td>20%</td></tr>'
        in page
    )
    assert (
        '<tr class="behind"><td>Đơn vị B</td><td>5</td><td>1</td><td>0</td><td>0%</td></tr>' in page
    )
    # the trend: people who met the target by the end of each week, of 31 (every headcount)
    assert "<td>09/03/2026</td><td>1</td><td>3,2%</td>" in page
    assert "<td>30/03/2026</td><td>2</td><td>6,5%</td>" in page
    assert "<td>18/05/2026</td><td>3</td><td>9,7%</td>" in page
    # a line with one point per week, from the week of 01/01/2026 to today's (01/06/2026)
    assert page.count('<circle class="dot"') == 23
    assert '<polyline class="line" points="' in page

    # a manager of F sees their group only, and the trend of their units only
    await sign_in(bot, web, "mgr", Role.MANAGER, unit="QF")
    mine = flat((await web.get(f"/admin?target={target}")).text)
    assert "<td>Nhóm F</td>" in mine and "<td>Đơn vị A</td>" not in mine
    assert "<td>18/05/2026</td><td>1</td><td>33,3%</td>" in mine
    assert "Câu hỏi khó nhất" not in mine  # quiz statistics are the province's: admins only


async def test_quiz_statistics_and_the_hardest_questions(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    ids = await load_tree(bot)
    target = await make_target(bot)
    person = await make_staff(bot, ids["QA"], "A1")
    await add_result(bot, person, "ky-nang-so-co-ban", 0.5, at("2026-02-02"))
    await add_result(bot, person, "ky-nang-so-co-ban", 0.9, at("2026-02-03"))
    await add_result(bot, person, "an-toan-thong-tin", 0.9, at("2026-02-04"))
    await add_result(bot, person, "an-toan-thong-tin", 0.3, at("2026-02-05"), practice=True)
    await add_result(bot, person, "an-toan-thong-tin", 0.3, at("2025-12-05"))  # before the period
    bank = bot.services.quiz.banks["ky-nang-so-co-ban"]
    hard, easier, rare = bank.questions[0], bank.questions[1], bank.questions[2]
    async with bot.db.transaction() as session:
        for day, answers in (
            (date(2026, 2, 2), [(hard.id, False)] * 7 + [(hard.id, True)] * 3),
            (date(2026, 2, 3), [(easier.id, False)] * 2 + [(easier.id, True)] * 6),
            (date(2026, 2, 3), [(rare.id, False)] * 4),  # too few answers to say
            (date(2025, 12, 5), [(easier.id, False)] * 50),  # outside the period
        ):
            await stats_repo.add_answers(
                session, set_slug="ky-nang-so-co-ban", day=day, answers=answers
            )

    await sign_in(bot, web, "boss", Role.ADMIN)
    page = flat((await web.get(f"/admin?target={target}")).text)
    assert "<div><dt>Lượt làm bài</dt><dd>3</dd></div>" in page
    assert "<div><dt>Lượt đạt</dt><dd>2</dd></div>" in page
    assert "<div><dt>Tỷ lệ đạt</dt><dd>66,7%</dd></div>" in page
    first = page.index(f"<td>{hard.text}</td>")
    assert page[first:].startswith(
        f"<td>{hard.text}</td><td>{bank.title}</td><td>10</td><td>70%</td>"
    )
    assert f"<td>{easier.text}</td><td>{bank.title}</td><td>8</td><td>25%</td>" in page[first:]
    assert f"<td>{rare.text}</td>" not in page


async def test_finishing_an_attempt_counts_each_question(bot: BotApp) -> None:
    ids = await load_tree(bot)
    person = await make_staff(bot, ids["QA"], "A1")
    quiz = bot.services.quiz.attempts
    started = await quiz.start(person, "ky-nang-so-co-ban", practice=False)
    assert started.question is not None
    total = started.question.total
    wrong = 0
    for index in range(total):
        outcome = await quiz.answer(person, started.question.attempt_id, index, 0)
        wrong += not outcome.correct
    today = bot.services.clock.now().astimezone(bot.settings.tz).date()
    async with bot.db.transaction() as session:
        counted = await stats_repo.hardest(
            session,
            set_slugs=["ky-nang-so-co-ban"],
            first_day=today,
            last_day=today,
            min_answers=1,
            limit=100,
        )
    assert sum(row.answered for row in counted) == total
    assert sum(row.wrong for row in counted) == wrong
    assert len(counted) == total  # one row per question drawn


@pytest.mark.usefixtures("open_round")
async def test_nominations_by_status_and_category(
    bot: BotApp, web: httpx.AsyncClient, staff: Chat
) -> None:
    await nominate_person(staff)
    await sign_in(bot, web, "c1", Role.COUNCIL)
    page = flat((await web.get("/admin")).text)
    pending = bot.catalog("nominate.status.pending")
    row = (
        f'<tr><td><a href="/admin/de-cu?trang_thai=pending">{pending}</a></td>'
        "<td>1</td><td>0</td><td>0</td><td>1</td></tr>"
    )
    assert row in page
    person = bot.catalog("nominate.category.person")
    assert f"<th>Trạng thái</th><th>{person}</th>" in page
    assert "<tfoot><tr><th>Tổng</th><td>1</td><td>0</td><td>0</td><td>1</td></tr></tfoot>" in page


async def test_reminder_delivery_per_deadline_for_whoever_may_see_it(
    bot: BotApp, web: httpx.AsyncClient
) -> None:
    ids = await load_tree(bot)
    await make_staff(bot, ids["QF1"], "F1")
    due = bot.services.clock.now() + timedelta(days=5)
    deadlines = bot.services.reminders.deadlines
    for code, title, unit in (("F", "Báo cáo nhóm F", "QF"), ("A", "Báo cáo đơn vị A", "QA")):
        await deadlines.define(
            DeadlineSpec(code, title, due, Audience(AudienceKind.UNITS, (ids[unit],), True))
        )
    report = next(r for r in await deadlines.report() if r.deadline.code == "F")
    await sign_in(bot, web, "mgr", Role.MANAGER, unit="QF")
    page = flat((await web.get("/admin")).text)
    assert "Nhắc hạn: gửi và xác nhận" in page
    assert '<a href="/admin/han/F">Báo cáo nhóm F</a>' in page
    assert (
        f"<td>{report.recipients}</td><td>{report.reached}</td><td>{report.acknowledged}</td>"
        in page
    )
    assert "Báo cáo đơn vị A" not in page  # another branch's deadline
    await sign_in(bot, web, "boss", Role.ADMIN)
    assert "Báo cáo đơn vị A" in (await web.get("/admin")).text


def _target(target_id: int, period: str, starts: date, due: date) -> TargetView:
    return TargetView(target_id, f"T{target_id}", "", period, 1, "", True, ("s",), 0.8, starts, due)


def test_the_period_narrows_the_targets_offered() -> None:
    targets = [
        _target(1, "Năm 2027", date(2027, 1, 1), date(2027, 12, 31)),
        _target(2, "Năm 2026", date(2026, 7, 1), date(2026, 12, 31)),
        _target(3, "Năm 2026", date(2026, 1, 1), date(2026, 6, 30)),
    ]
    today = date(2026, 3, 1)
    listed, chosen = choose_target(targets, None, "Năm 2026", today)
    assert [t.id for t in listed] == [2, 3] and chosen is not None and chosen.id == 3  # running
    listed, chosen = choose_target(targets, 1, "Năm 2026", today)
    assert chosen is not None and chosen.id == 3  # a target of another period is not shown
    listed, chosen = choose_target(targets, 2, "", today)
    assert len(listed) == 3 and chosen is not None and chosen.id == 2
