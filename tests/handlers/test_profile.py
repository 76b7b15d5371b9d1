"""/hoso edits and /xoadulieu deletion."""

from __future__ import annotations

from tests.handlers.test_start import REGISTER_STAFF
from tests.helpers.chat import Chat


async def test_profile_shows_and_edits_fields(chat: Chat) -> None:
    await chat.converse(REGISTER_STAFF)
    await chat.converse("""
        > /hoso
        < Họ và tên: Nguyễn Thị Hòa
        < Sở Khoa học và Công nghệ
        > [Sửa chức vụ]
        < chức vụ mới
        > x
        < Chức vụ cần từ 2 đến 100 ký tự
        > Phó Trưởng phòng
        < Đã cập nhật hồ sơ
        > [Đổi đơn vị]
        < Đơn vị của anh/chị là gì?
        > ea kar
        > 1
        < Đã cập nhật đơn vị
        > /hoso
        < Chức vụ: Phó Trưởng phòng
        < Xã Ea Kar
    """)


async def test_erase_removes_personal_data_after_confirmation(chat: Chat) -> None:
    await chat.converse(REGISTER_STAFF)
    before = await chat.bot.services.users.find(channel="test", external_id="u1")
    await chat.converse("""
        > /xoadulieu
        < có chắc muốn xóa
        > [Không, giữ lại]
        < giữ nguyên
        > /xoadulieu
        < Chỉ còn lại, không gắn với ai
        > [Xóa hẳn]
        < Đã xóa hẳn dữ liệu cá nhân
    """)
    assert await chat.bot.services.users.find(channel="test", external_id="u1") is None
    await chat.converse("""
        > /hoso
        < cần anh/chị đăng ký trước
    """)
    profile = await chat.bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None and before is not None  # a new person to the bot
    assert (profile.full_name, profile.position, profile.unit_id, profile.consent_at) == (
        None,
        None,
        None,
        None,
    )


async def test_citizen_can_become_staff(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /hoso
        < Vai trò: Người dân
        > [Đổi vai trò]
        > [Cán bộ]
        < Đơn vị của anh/chị là gì?
    """)


async def test_roles_granted_from_cli_show_in_profile(chat: Chat) -> None:
    await chat.converse(REGISTER_STAFF)
    services = chat.bot.services
    from bot.services.users import Role

    assert await services.users.grant(
        channel="test", external_id="u1", role=Role.MANAGER, unit_code="SKHCN"
    )
    assert not await services.users.grant(
        channel="test", external_id="u1", role=Role.MANAGER, unit_code="SKHCN"
    )
    await chat.converse("""
        > /hoso
        < lãnh đạo đơn vị
    """)


async def test_changing_unit_by_its_exact_name_needs_no_tap_and_says_so(chat: Chat) -> None:
    await chat.converse(REGISTER_STAFF)
    await chat.converse("""
        > /hoso
        > [Đổi đơn vị]
        > so noi vu
        < Đã cập nhật đơn vị của anh/chị thành Sở Nội vụ
        > /hoso
        < Đơn vị: Sở Nội vụ
    """)
