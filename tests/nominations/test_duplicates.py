"""The same nominee (folded name + unit) in the same round becomes one entry with supporters."""

from __future__ import annotations

import asyncio
from datetime import date

import pytest

from bot.app import BotApp
from bot.nominations.service import Outcome
from bot.nominations.types import Category, RoundView
from tests.helpers.chat import Chat
from tests.nominations.conftest import register_citizen, register_staff
from tests.nominations.forms import nominate_person

pytestmark = pytest.mark.usefixtures("open_round")

SECOND_REASON = (
    "Anh Minh là người đầu tiên ở Sở đưa toàn bộ hồ sơ một cửa lên dịch vụ công trực tuyến "
    "toàn trình."
)


async def test_a_duplicate_becomes_a_supporter_with_its_reason(bot: BotApp, staff: Chat) -> None:
    assert "DC-2026-0001" in await nominate_person(staff)
    other = await register_staff(bot, "u2", name="Đỗ Quang Huy", unit="SNV")
    answer = await nominate_person(
        other, name="le van  MINH.", unit="Sở Y tế", achievements=SECOND_REASON
    )
    assert "đã có đề cử DC-2026-0001" in answer
    assert "anh/chị là người ủng hộ" in answer
    assert "Lê Văn Minh" not in answer  # the first nominator's spelling is not revealed
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and len(detail.supporters) == 1
    supporter = detail.supporters[0]
    assert supporter.reason == SECOND_REASON and supporter.nominee_name == "le van  MINH."
    assert supporter.contact is not None and supporter.contact.full_name == "Đỗ Quang Huy"
    assert [h.action.value for h in detail.history] == ["submitted", "supported"]
    mine = await other.say("/decucuatoi")
    assert "DC-2026-0001 — le van  MINH." in mine.text and "anh/chị ủng hộ" in mine.text


async def test_nominating_the_same_person_twice_is_refused_and_kept(
    bot: BotApp, staff: Chat
) -> None:
    await nominate_person(staff)
    answer = await nominate_person(staff, name="LÊ VĂN MINH")
    assert "Anh/chị đã đề cử" in answer and "DC-2026-0001" in answer
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and not detail.supporters
    profile = await bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None
    draft = await bot.services.nominations.drafts.get(profile.id)
    assert draft is not None and draft.nominee_name == "LÊ VĂN MINH"


async def test_another_round_or_unit_is_another_nominee(
    bot: BotApp, staff: Chat, open_round: RoundView
) -> None:
    await nominate_person(staff)
    rounds = bot.services.nominations.rounds
    await rounds.close(open_round.code)
    await rounds.open(
        name="Đợt 2 năm 2026",
        categories=tuple(Category),
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 12, 31),
    )
    answer = await nominate_person(staff)
    assert "Đã gửi đề cử DC-2026-0002" in answer
    other = await register_citizen(bot, "c-2")
    answer = await nominate_person(other, name="Lê Văn Minh", unit="Sở Tư pháp")
    assert "Đã gửi đề cử DC-2026-0003" in answer


async def test_simultaneous_nominations_of_one_nominee_make_one_entry(bot: BotApp) -> None:
    units = await bot.services.units.search("Sở Y tế")
    unit = units.units[0]
    people = []
    for index in range(6):
        chat = await register_staff(bot, f"p{index}", name="Nguyễn Văn An", unit="SNV")
        profile = await bot.services.users.find(channel="test", external_id=f"p{index}")
        assert profile is not None
        await bot.services.nominations.drafts.update(
            profile.id,
            category=Category.PERSON,
            nominee_name="Trần Thị Thu" if index % 2 else "tran thi thu",
            unit_id=unit.id,
            unit_name=unit.name,
            position="Bác sĩ",
            achievements=SECOND_REASON,
            results_done=True,
            evidence_done=True,
        )
        people.append(profile)
        assert chat is not None
    results = await asyncio.gather(*(bot.services.nominations.submit(p) for p in people))
    outcomes = sorted(result.outcome.value for result in results)
    assert outcomes == [Outcome.CREATED.value] + [Outcome.JOINED.value] * 5
    assert len({result.code for result in results}) == 1
    detail = await bot.services.nominations.review.by_code(results[0].code)
    assert detail is not None and len(detail.supporters) == 5
