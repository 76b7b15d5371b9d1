"""Registration: consent, citizen or staff, unit search, invitation codes, validation, restart."""

from __future__ import annotations

from bot.app import BotApp
from tests.helpers.chat import Chat

REGISTER_STAFF = """
    > /start
    < Xin chào anh/chị
    < Luật Bảo vệ dữ liệu cá nhân
    > [Đồng ý]
    < Anh/chị là
    > [Cán bộ]
    < Đơn vị của anh/chị là gì?
    > khoa hoc cong nghe
    < Sở Khoa học và Công nghệ
    > [Sở Khoa học và Công nghệ]
    < họ và tên
    > Nguyễn Thị Hoà
    < Chức vụ
    > Chuyên viên
    < Đăng ký xong
    < Nguyễn Thị Hòa
"""


async def test_staff_registration_by_unit_search(chat: Chat) -> None:
    await chat.converse(REGISTER_STAFF)
    profile = await chat.bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None and profile.is_staff
    assert profile.full_name == "Nguyễn Thị Hòa"  # old tone placement normalised
    assert profile.unit_name == "Sở Khoa học và Công nghệ"
    assert profile.consent_at is not None


async def test_citizen_registration_stores_no_personal_fields(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        < Đăng ký xong
    """)
    profile = await chat.bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None and profile.registered and not profile.is_staff
    assert profile.full_name is None and profile.unit_id is None


async def test_declining_consent_keeps_nothing_and_still_allows_questions(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Không đồng ý]
        < không lưu thông tin cá nhân
        > /hoso
        < cần anh/chị đăng ký trước
    """)
    profile = await chat.bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None and profile.consent_at is None


async def test_numbered_and_typed_answers_work_without_buttons(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > 1
        < Anh/chị là
        > can bo cong chuc vien chuc
        < Đơn vị của anh/chị là gì?
    """)


async def test_invalid_input_gets_a_hint_and_keeps_earlier_answers(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        > xyz không có đơn vị này
        < chưa tìm thấy đơn vị nào
        > y te
        > [Sở Y tế]
        > 12345
        < Họ và tên chưa hợp lệ
        > Trần Văn Bình
        > ?
        < Chức vụ cần từ 2 đến 100 ký tự
        > Phó Giám đốc
        < Đơn vị: Sở Y tế
    """)


async def test_invitation_code_deep_link_preselects_the_unit(chat: Chat) -> None:
    await chat.converse("""
        > /start skhcn2026
        > [Đồng ý]
        > [Cán bộ]
        < Sở Khoa học và Công nghệ. Đây có phải đơn vị của anh/chị không?
        > [Đúng]
        < họ và tên
    """)


async def test_unknown_invitation_code_is_explained(chat: Chat) -> None:
    turn = await chat.say("/start khong-co-ma-nay")
    assert "không đúng hoặc đã hết hiệu lực" in turn.text
    assert "Luật Bảo vệ dữ liệu cá nhân" in turn.text


async def test_half_finished_registration_survives_a_restart(bot: BotApp, settings, clock) -> None:
    first = Chat(bot)
    await first.converse("""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        > y te
        > [Sở Y tế]
        < họ và tên
    """)
    await bot.close()
    restarted = BotApp.build(settings, clock=clock)
    try:
        again = Chat(restarted)
        await again.converse("""
            > Lê Thị Mai
            < Chức vụ
            > Bác sĩ
            < Đơn vị: Sở Y tế
        """)
    finally:
        await restarted.close()


async def test_cancel_leaves_the_flow(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        > /huy
        < Đã hủy
        > /huy
        < không có thao tác nào
    """)


async def _at_unit_question(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Cán bộ]
        < Đơn vị của anh/chị là gì?
    """)


async def test_the_unit_typed_exactly_is_taken_without_a_tap_and_said(chat: Chat) -> None:
    await _at_unit_question(chat)
    await chat.converse("""
        > phuong tan an
        < Trợ lý chọn đơn vị Phường Tân An theo đúng tên anh/chị gõ
        < họ và tên
        > Trần Văn Bình
        > Công chức
        < Đơn vị: Phường Tân An
    """)
    profile = await chat.bot.services.users.find(channel="test", external_id="u1")
    assert profile is not None and profile.unit_name == "Phường Tân An"


async def test_the_exact_match_can_be_changed_at_once(chat: Chat) -> None:
    await _at_unit_question(chat)
    await chat.converse("""
        > so noi vu
        < Sở Nội vụ
        > [Chọn đơn vị khác]
        < Đơn vị của anh/chị là gì?
    """)


async def test_a_number_never_becomes_a_search_while_a_list_is_open(chat: Chat) -> None:
    await _at_unit_question(chat)
    listed = await chat.say("phu hoa")
    first = listed.buttons[0][0]
    assert 2 <= len(listed.buttons) < 9
    await chat.converse(f"""
        > 9
        < Anh/chị chọn từ 1 đến {len(listed.buttons)}, hoặc gõ tên khác
        < {first}
        > khong co don vi nay
        < chưa tìm thấy đơn vị nào có "khong co don vi nay"
        < {first}
        > 1
        < Đơn vị: {first}
    """)


async def test_a_bare_number_is_not_a_unit_name(chat: Chat) -> None:
    await _at_unit_question(chat)
    turn = await chat.say("1")
    assert "không phải tên đơn vị" in turn.text and "Phú Hòa 1" not in turn.shown


async def test_a_word_matches_the_start_of_a_word_of_the_name(chat: Chat) -> None:
    await _at_unit_question(chat)
    turn = await chat.say("tan an")
    assert [label for label, _ in turn.buttons] == ["Phường Tân An"]  # not "Tân Lập", "Tân Tiến"
