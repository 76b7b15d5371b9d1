"""Demo people (channel "demo") fill the leaderboard but never receive pushes."""

from __future__ import annotations

from bot.app import BotApp
from bot.storage.repositories import audience as audience_repo


async def test_data_only_accounts_are_left_out_of_audiences(bot: BotApp) -> None:
    users, units = bot.services.users, bot.services.units
    unit = (await units.search("so y te")).units[0]
    ids = []
    for channel in ("demo", "telegram"):
        profile = await users.touch(channel=channel, external_id="42")
        await users.record_consent(profile.id)
        await users.register_staff(
            profile.id, unit_id=unit.id, full_name="Lê Văn A", position="Chuyên viên"
        )
        assert await bot.services.staff.confirm_by_admin(profile.id)  # counts for the unit
        ids.append(profile.id)
    async with bot.db.transaction() as session:
        staff = await audience_repo.staff(session)
        people = await audience_repo.people(session, user_ids=ids)
    assert ids[1] in staff and ids[0] not in staff
    assert [person.channel for person in people] == ["telegram"]
