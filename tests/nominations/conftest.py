"""Fixtures for nominations: an open round, registered people, council members."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import BotApp
from bot.nominations.types import Category, RoundView
from bot.services.users import Role
from tests.helpers.chat import Chat

ROUND_OPENS = date(2026, 5, 15)
ROUND_CLOSES = date(2026, 6, 30)  # the test clock starts on 01/06/2026


async def register_staff(
    bot: BotApp,
    user_id: str,
    *,
    name: str,
    unit: str = "SKHCN",
    position: str = "Chuyên viên",
    channel: str = "test",
) -> Chat:
    """A registered cadre of a unit, confirmed for it, chatting on a channel."""
    users = bot.services.users
    profile = await users.touch(channel=channel, external_id=user_id)
    await users.record_consent(profile.id)
    found = await bot.services.units.search(unit)
    await users.register_staff(
        profile.id, unit_id=found.units[0].id, full_name=name, position=position
    )
    assert await bot.services.staff.confirm_by_admin(profile.id)
    return Chat(bot, channel=channel, user_id=user_id)


async def register_citizen(bot: BotApp, user_id: str, *, channel: str = "test") -> Chat:
    """A registered citizen (no name kept)."""
    users = bot.services.users
    profile = await users.touch(channel=channel, external_id=user_id)
    await users.record_consent(profile.id)
    await users.register_citizen(profile.id)
    return Chat(bot, channel=channel, user_id=user_id)


async def make_council(bot: BotApp, user_id: str, *, name: str = "Trần Văn Hội") -> Chat:
    """A council member (registered staff with the council role)."""
    chat = await register_staff(bot, user_id, name=name, unit="VPUBND", position="Ủy viên")
    await bot.services.users.grant(channel="test", external_id=user_id, role=Role.COUNCIL)
    return chat


@pytest.fixture
async def open_round(bot: BotApp) -> RoundView:
    """A round accepting every category on the test clock's day."""
    return await bot.services.nominations.rounds.open(
        name="Đợt 1 năm 2026",
        code="dot1-2026",
        categories=tuple(Category),
        opens_on=ROUND_OPENS,
        closes_on=ROUND_CLOSES,
    )


@pytest.fixture
async def staff(bot: BotApp) -> Chat:
    """A registered staff member: Võ Thị Thanh Xuân of the science department."""
    return await register_staff(bot, "u1", name="Võ Thị Thanh Xuân")


@pytest.fixture
async def council(bot: BotApp) -> Chat:
    """A council member."""
    return await make_council(bot, "c1")
