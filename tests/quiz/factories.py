"""Test data for quizzes: a small unit tree, staff, targets and finished attempts."""

from __future__ import annotations

from datetime import date, datetime

from bot.app import BotApp
from bot.quiz.targets import TargetSpec, refresh_standings
from bot.storage.models import QuizAttempt
from bot.storage.repositories import quiz_targets as target_repo

TREE = """code,name,parent_code,kind,headcount,head_name,invite_code
QROOT,Khối thử nghiệm,,nhom,0,,
QA,Đơn vị A,QROOT,so,10,,
QB,Đơn vị B,QROOT,so,5,,
QC,Đơn vị C,QROOT,so,2,,
QD,Đơn vị D,QROOT,so,4,,
QE,Đơn vị E,QROOT,so,4,,
QF,Nhóm F,QROOT,nhom,0,,
QF1,Đơn vị F1,QF,phong,3,,
QG,Đơn vị G,QROOT,so,3,,
"""

SETS = ("ky-nang-so-co-ban", "an-toan-thong-tin")


async def load_tree(bot: BotApp) -> dict[str, int]:
    """Import the test tree; unit ids by code."""
    report = await bot.services.units.import_text(TREE)
    assert report.ok, report.errors
    ids = {}
    for code in ("QROOT", "QA", "QB", "QC", "QD", "QE", "QF", "QF1", "QG"):
        found = await bot.services.units.search(code)
        ids[code] = found.units[0].id
    return ids


async def make_staff(bot: BotApp, unit_id: int, name: str, *, channel: str = "test") -> int:
    """A registered staff member of a unit; returns the user id."""
    users = bot.services.users
    profile = await users.touch(channel=channel, external_id=f"staff-{unit_id}-{name}")
    await users.record_consent(profile.id)
    await users.register_staff(profile.id, unit_id=unit_id, full_name=name, position="Chuyên viên")
    assert await bot.services.staff.confirm_by_admin(profile.id)  # counts for the unit
    return profile.id


async def add_result(
    bot: BotApp,
    user_id: int,
    set_slug: str,
    score: float,
    finished_at: datetime,
    *,
    practice: bool = False,
    pass_ratio: float = 0.8,
) -> None:
    """A finished attempt with the given score (10 questions)."""
    async with bot.db.transaction() as session:
        session.add(
            QuizAttempt(
                user_id=user_id,
                set_slug=set_slug,
                practice=practice,
                status="finished",
                question_ids=[f"q{i}" for i in range(10)],
                option_orders=[[0, 1, 2, 3]] * 10,
                current_index=10,
                question_sent_at=finished_at,
                time_limit_s=60,
                pass_ratio=pass_ratio,
                correct_count=round(score * 10),
                score=score,
                passed=score >= pass_ratio,
                started_at=finished_at,
                finished_at=finished_at,
            )
        )
        await session.flush()
        if not practice:
            tz = bot.settings.tz
            targets = await target_repo.active_on(session, on=finished_at.astimezone(tz).date())
            await refresh_standings(session, targets, user_id=user_id, set_slug=set_slug, tz=tz)


async def make_target(
    bot: BotApp,
    *,
    code: str = "T2026",
    unit: str = "QROOT",
    sets: tuple[str, ...] = SETS,
    rate: float = 0.8,
    starts: date = date(2026, 1, 1),
    due: date = date(2026, 6, 30),
    include_subunits: bool = True,
) -> int:
    """Define a target; returns its id."""
    view, _, problems = await bot.services.quiz.targets.define(
        TargetSpec(
            code=code,
            title=f"Chỉ tiêu {code}",
            unit_code=unit,
            set_slugs=sets,
            starts_on=starts,
            due_on=due,
            required_rate=rate,
            include_subunits=include_subunits,
            period="6 tháng đầu năm 2026",
        )
    )
    assert view is not None, problems
    return view.id
