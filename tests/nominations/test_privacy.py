"""Privacy: nobody but the council sees another person's nomination; erasure removes identity."""

from __future__ import annotations

import pytest

from bot.app import BotApp
from bot.core.replies import Document
from bot.nominations.types import Action, Status
from tests.helpers.chat import Chat, Turn
from tests.nominations.conftest import register_citizen, register_staff
from tests.nominations.forms import nominate_person

pytestmark = pytest.mark.usefixtures("open_round")

SECRET_NAME = "Hồ Thị Bí Mật"
SECRET_TEXT = "MARKER-ACH chị đã xây dựng kho dữ liệu mở của phường với 40 bộ dữ liệu mở."
SECRETS = ("MARKER", SECRET_NAME, "Võ Thị Thanh Xuân", "Sở Khoa học và Công nghệ")


def _assert_clean(turns: list[Turn]) -> None:
    for turn in turns:
        seen = turn.shown
        for secret in SECRETS:
            assert secret not in seen, f"{secret!r} leaked in:\n{seen}"
        assert not any(isinstance(reply, Document) for reply in turn.replies)


async def test_a_citizen_never_sees_another_persons_nomination(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await nominate_person(staff, name=SECRET_NAME, unit="Sở Y tế", achievements=SECRET_TEXT)
    other = await register_citizen(bot, "nosy")
    turns = [await other.say("/decucuatoi")]
    for command in ("/duyetdecu", "/duyetdecu DC-2026-0001", "/xuatdecu", "/xuatdecu dot1-2026"):
        turns.append(await other.say(command))
    for forged_id in range(1, 6):
        for action in (
            f"mynom:view:{forged_id}",
            f"mynom:more:{forged_id}",
            f"rev:approve:{forged_id}:pending",
            f"rev:skip:{forged_id}",
            f"nom:edit:{forged_id}",
            f"nom:unit:{forged_id}",
            "nom:send",
        ):
            turns.append(await other.act(action))
    # The same nominee, typed differently: the citizen joins as a supporter without seeing more.
    turns.append(await other.say("/decu"))
    turns.append(await other.press("Cá nhân tiêu biểu"))
    turns.append(await other.say("ho thi bi mat"))
    turns.append(await other.say("y te"))
    turns.append(await other.press("Sở Y tế"))
    turns.append(await other.say("Bác sĩ"))
    turns.append(await other.say("Người dân trong phường được hướng dẫn dùng dữ liệu tận tình."))
    turns.append(await other.press("Bỏ qua"))
    turns.append(await other.press("Xong phần minh chứng"))
    turns.append(await other.press("Gửi đề cử"))
    assert "DC-2026-0001" in turns[-1].text and "người ủng hộ" in turns[-1].text
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.status is Status.PENDING and not detail.history[2:]
    turns.append(await other.say("/decucuatoi"))
    assert "ho thi bi mat" in turns[-1].text
    turns.append(await other.press("Xem DC-2026-0001"))
    assert "Người dân trong phường được hướng dẫn" in turns[-1].text
    # The council asks for more: the supporter is told in their own words, and may answer.
    decided = await council.converse("""
        > /duyetdecu
        > [Yêu cầu bổ sung]
        > Xin gửi đường link tới kho dữ liệu mở.
    """)
    notices = [n for n in decided.notices if n.user_id == "nosy"]
    assert notices
    _assert_clean([Turn(list(n.replies)) for n in notices])
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None
    turns.append(await other.act(f"mynom:more:{detail.id}"))
    turns.append(await other.say("/decucuatoi"))
    _assert_clean(turns)


async def test_the_council_sees_identity_and_details(staff: Chat, council: Chat) -> None:
    await nominate_person(staff, name=SECRET_NAME, achievements=SECRET_TEXT)
    turn = await council.say("/duyetdecu")
    assert SECRET_NAME in turn.text and SECRET_TEXT in turn.text
    assert "Võ Thị Thanh Xuân — Chuyên viên, Sở Khoa học và Công nghệ" in turn.text


async def test_staff_from_another_unit_see_only_their_own(bot: BotApp, staff: Chat) -> None:
    await nominate_person(staff, name=SECRET_NAME, achievements=SECRET_TEXT)
    colleague = await register_staff(bot, "u2", name="Đinh Văn Tú", unit="SKHCN")
    turns = [await colleague.say("/decucuatoi"), await colleague.act("mynom:view:1")]
    assert "chưa gửi đề cử nào" in turns[0].text
    _assert_clean(turns)


async def test_erasure_removes_the_nominators_identity_but_keeps_the_content(
    bot: BotApp, staff: Chat
) -> None:
    await nominate_person(staff, name=SECRET_NAME, achievements=SECRET_TEXT)
    supporter = await register_citizen(bot, "c-5")
    await nominate_person(supporter, name=SECRET_NAME)
    await staff.converse("""
        > /decu
        > [Tập thể tiêu biểu]
        > Tổ dữ liệu mở
    """)
    await staff.converse("""
        > /xoadulieu
        > [Xóa hẳn]
        < Đã xóa hẳn dữ liệu cá nhân
    """)
    await supporter.converse("""
        > /xoadulieu
        > [Xóa hẳn]
    """)
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None
    assert detail.contact is None and detail.achievements == SECRET_TEXT
    assert detail.nominee_name == SECRET_NAME
    assert len(detail.supporters) == 1 and detail.supporters[0].contact is None
    assert all(
        h.actor is None for h in detail.history if h.action in (Action.SUBMITTED, Action.SUPPORTED)
    )
    assert await bot.services.users.find(channel="test", external_id="u1") is None
    profile = await bot.services.users.touch(channel="test", external_id="u1")
    assert await bot.services.nominations.drafts.get(profile.id) is None
    assert await bot.services.nominations.mine(profile.id) == []
