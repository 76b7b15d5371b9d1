"""Reference codes DC-YYYY-NNNN: one sequence per local year, unique under concurrency."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.nominations.service import Submission, format_code
from bot.nominations.types import Category
from bot.services.users import Profile
from tests.nominations.conftest import register_staff

TEXT = "Đã số hóa toàn bộ hồ sơ lưu trữ của đơn vị từ năm 2015 đến nay, tra cứu trong vài giây."


async def _ready(bot: BotApp, user_id: str, nominee: str) -> Profile:
    await register_staff(bot, user_id, name="Hoàng Văn Nam")
    profile = await bot.services.users.find(channel="test", external_id=user_id)
    assert profile is not None
    unit = (await bot.services.units.search("Sở Tư pháp")).units[0]
    await bot.services.nominations.drafts.update(
        profile.id,
        category=Category.COLLECTIVE,
        nominee_name=nominee,
        unit_id=unit.id,
        unit_name=unit.name,
        achievements=TEXT,
        results_done=True,
        evidence_done=True,
    )
    return profile


async def _submit(bot: BotApp, profile: Profile) -> Submission:
    return await bot.services.nominations.submit(profile)


def test_code_format() -> None:
    assert format_code(2026, 42) == "DC-2026-0042"
    assert format_code(2027, 12345) == "DC-2027-12345"


async def test_codes_follow_the_local_year(bot: BotApp, clock: FrozenClock) -> None:
    await bot.services.nominations.rounds.open(
        name="Đợt cuối năm",
        categories=tuple(Category),
        opens_on=date(2026, 12, 1),
        closes_on=date(2027, 1, 31),
    )
    clock.set(datetime(2026, 12, 31, 16, 0, tzinfo=UTC))  # 23:00 on 31/12 in Đắk Lắk
    first = await _submit(bot, await _ready(bot, "a", "Phòng Hành chính"))
    second = await _submit(bot, await _ready(bot, "b", "Phòng Tư pháp số"))
    clock.set(datetime(2026, 12, 31, 17, 30, tzinfo=UTC))  # 00:30 on 01/01/2027 locally
    third = await _submit(bot, await _ready(bot, "c", "Phòng Lưu trữ"))
    assert [first.code, second.code, third.code] == ["DC-2026-0001", "DC-2026-0002", "DC-2027-0001"]


async def test_concurrent_submissions_get_distinct_consecutive_codes(bot: BotApp) -> None:
    await bot.services.nominations.rounds.open(
        name="Đợt 1",
        categories=tuple(Category),
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 30),
    )
    people = [await _ready(bot, f"u{i}", f"Tổ số hóa {i}") for i in range(12)]
    results = await asyncio.gather(*(_submit(bot, person) for person in people))
    assert sorted(r.code for r in results) == [format_code(2026, n) for n in range(1, 13)]
