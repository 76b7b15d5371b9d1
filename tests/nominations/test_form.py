"""The guided form: every category, validation, editing, cancel, restart, resume, attachments."""

from __future__ import annotations

from datetime import date

import pytest

from bot.app import BotApp
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.nominations.types import Category, NominationDetail, Status
from tests.helpers.chat import Chat
from tests.nominations.conftest import register_citizen
from tests.nominations.forms import ACHIEVEMENTS, PERSON

pytestmark = pytest.mark.usefixtures("open_round")

INITIATIVE_TEXT = (
    "Phần mềm nhắc lịch tiêm chủng qua Zalo cho phụ huynh ở các xã vùng sâu, "
    "giúp trạm y tế không phải gọi điện từng nhà."
)


async def _detail(bot: BotApp, code: str) -> NominationDetail:
    detail = await bot.services.nominations.review.by_code(code)
    assert detail is not None
    return detail


async def _user_id(chat: Chat) -> int:
    profile = await chat.bot.services.users.find(channel=chat.channel, external_id=chat.user_id)
    assert profile is not None
    return profile.id


def _file(chat: Chat, ref: str, *, size: int = 200_000, name: str = "anh.jpg") -> IncomingEvent:
    return IncomingEvent(
        chat.channel,
        chat.user_id,
        chat.user_id,
        EventKind.ATTACHMENT,
        attachment=Attachment("photo", ref, name, "image/jpeg", size),
    )


async def test_complete_person_nomination(bot: BotApp, staff: Chat) -> None:
    await staff.converse(
        PERSON
        + """
        > [Gửi đề cử]
        < Đã gửi đề cử DC-2026-0001 (Lê Văn Minh) cho Hội đồng Thi đua – Khen thưởng
    """
    )
    detail = await _detail(bot, "DC-2026-0001")
    assert (detail.category, detail.nominee_name, detail.unit_name, detail.position) == (
        Category.PERSON,
        "Lê Văn Minh",
        "Sở Y tế",
        "Phó Chánh Văn phòng",
    )
    assert detail.achievements == ACHIEVEMENTS
    assert detail.results == "giảm 30 % thời gian xử lý hồ sơ"
    assert detail.status is Status.PENDING
    assert detail.contact is not None and detail.contact.full_name == "Võ Thị Thanh Xuân"
    assert await bot.services.nominations.drafts.get(await _user_id(staff)) is None


async def test_complete_collective_nomination_skips_position(bot: BotApp, staff: Chat) -> None:
    await staff.converse(f"""
        > /decu
        > [Tập thể tiêu biểu]
        < Tên tập thể được đề cử
        > Tổ công nghệ số cộng đồng phường Tân Lập
        < Tập thể "Tổ công nghệ số cộng đồng phường Tân Lập" thuộc đơn vị nào?
        > tan lap
        > [Phường Tân Lập]
        < thành tích nổi bật về chuyển đổi số của tập thể này
        > {ACHIEVEMENTS}
        < Kết quả đo được
        > [Bỏ qua]
        < Minh chứng
        > [Xong phần minh chứng]
        < Tập thể được đề cử: Tổ công nghệ số cộng đồng phường Tân Lập
        < Kết quả đo được: (chưa có)
        > [Gửi đề cử]
        < Đã gửi đề cử DC-2026-0001
    """)
    assert "Sửa chức vụ" not in " ".join(label for label, _ in staff.last.buttons)  # type: ignore[union-attr]
    detail = await _detail(bot, "DC-2026-0001")
    assert detail.category is Category.COLLECTIVE and detail.position is None
    assert detail.results is None and detail.unit_name == "Phường Tân Lập"


async def test_complete_initiative_nomination_by_a_citizen(bot: BotApp) -> None:
    citizen = await register_citizen(bot, "citizen-1")
    await citizen.converse(f"""
        > /menu
        > [Gửi đề cử]
        < Gửi đề cử khen thưởng
        > 3
        < Tên sáng kiến chuyển đổi số?
        > Nhắc lịch tiêm chủng qua Zalo
        < Đơn vị nào chủ trì hoặc áp dụng sáng kiến "Nhắc lịch tiêm chủng qua Zalo"?
        > kiem soat benh tat
        > [Trung tâm Kiểm soát bệnh tật]
        < Sáng kiến làm gì, và phục vụ ai?
        > {INITIATIVE_TEXT}
        > 1.500 trẻ được nhắc lịch đúng hạn mỗi tháng
        < Minh chứng
        > https://example.gov.vn/bao-cao-sang-kien
        < Đã ghi phần mô tả minh chứng
        > [Xong phần minh chứng]
        < Tên sáng kiến: Nhắc lịch tiêm chủng qua Zalo
        < Sáng kiến làm gì, phục vụ ai: {INITIATIVE_TEXT}
        < 0 tệp; mô tả: https://example.gov.vn/bao-cao-sang-kien
        < Người dân (qua test)
        > [Gửi đề cử]
        < Đã gửi đề cử DC-2026-0001 (Nhắc lịch tiêm chủng qua Zalo)
    """)
    detail = await _detail(bot, "DC-2026-0001")
    assert detail.category is Category.INITIATIVE
    assert detail.results == "1.500 trẻ được nhắc lịch đúng hạn mỗi tháng"
    assert detail.evidence_note == "https://example.gov.vn/bao-cao-sang-kien"
    assert detail.contact is not None and detail.contact.full_name is None


async def test_invalid_fields_are_explained_and_earlier_answers_kept(staff: Chat) -> None:
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn 123
        < Họ và tên chưa hợp lệ
        < các thông tin đã nhập vẫn được giữ
        > Lê Văn Minh
        > khong co don vi nay
        < chưa tìm thấy đơn vị nào
        > y te
        > [Sở Y tế]
        > ?
        < Chức vụ cần từ 2 đến 100 ký tự
        > Chuyên viên
        > Làm tốt.
        < cần ít nhất 40 ký tự
        > 1234567890 1234567890 1234567890 1234567890 1234567890
        < cần có chữ
    """)
    turn = await staff.say("x" * 2001 + " thêm")
    assert "dài quá 2000 ký tự" in turn.text
    await staff.converse(f"""
        > {ACHIEVEMENTS}
        < Kết quả đo được
        > ab
        < ít nhất 3 ký tự
        > [Bỏ qua]
        > [Xong phần minh chứng]
        < Người được đề cử: Lê Văn Minh
        < Đơn vị: Sở Y tế
        < Chức vụ: Chuyên viên
    """)


async def test_editing_one_field_from_the_review_screen(bot: BotApp, staff: Chat) -> None:
    await staff.converse(
        PERSON
        + """
        > [Sửa đơn vị]
        < công tác ở đơn vị nào
        > khoa hoc
        > [Sở Khoa học và Công nghệ]
        < kiểm tra lại đề cử
        < Đơn vị: Sở Khoa học và Công nghệ
        < Người được đề cử: Lê Văn Minh
        < Chức vụ: Phó Chánh Văn phòng
        > [Sửa kết quả]
        < Kết quả đo được
        > giảm 50 % giấy tờ
        < Kết quả đo được: giảm 50 % giấy tờ
        > [Sửa loại đề cử]
        > [Sáng kiến chuyển đổi số]
        < Tên sáng kiến: Lê Văn Minh
        > [Gửi đề cử]
        < Đã gửi đề cử DC-2026-0001
    """
    )
    detail = await _detail(bot, "DC-2026-0001")
    assert detail.unit_name == "Sở Khoa học và Công nghệ"
    assert detail.results == "giảm 50 % giấy tờ"
    assert detail.category is Category.INITIATIVE and detail.position is None
    assert detail.achievements == ACHIEVEMENTS


async def test_switching_to_person_asks_for_a_valid_name_and_position(staff: Chat) -> None:
    await staff.converse(f"""
        > /decu
        > [Sáng kiến chuyển đổi số]
        > Sổ tay số 2026
        > khoa hoc
        > [Sở Khoa học và Công nghệ]
        > {INITIATIVE_TEXT}
        > [Bỏ qua]
        > [Xong phần minh chứng]
        > [Sửa loại đề cử]
        > [Cá nhân tiêu biểu]
        < Họ và tên đầy đủ của người được đề cử
        > Phạm Thị Lan
        < Chức vụ hoặc vị trí công tác của Phạm Thị Lan
        > Kế toán
        < Người được đề cử: Phạm Thị Lan
        < Chức vụ: Kế toán
    """)


async def test_cancel_asks_for_confirmation(bot: BotApp, staff: Chat) -> None:
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn Minh
        > /huy
        < có chắc muốn hủy đề cử đang soạn không
        > [Không, tiếp tục soạn]
        < công tác ở đơn vị nào
        > y te
        > [Sở Y tế]
        < Chức vụ
        > /huy
        > [Có, hủy đề cử này]
        < Đã hủy đề cử đang soạn
        > /huy
        < Hiện không có thao tác nào đang làm dở
    """)
    assert await bot.services.nominations.drafts.get(await _user_id(staff)) is None


async def test_a_restart_mid_form_loses_nothing(bot: BotApp, staff: Chat, settings, clock) -> None:  # type: ignore[no-untyped-def]
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn Minh
        > y te
        > [Sở Y tế]
        < Chức vụ
    """)
    await bot.close()
    restarted = BotApp.build(settings, clock=clock)
    try:
        again = Chat(restarted, channel=staff.channel, user_id=staff.user_id)
        await again.converse(f"""
            > Chuyên viên
            < thành tích nổi bật
            > {ACHIEVEMENTS}
            > [Bỏ qua]
            > [Xong phần minh chứng]
            < Người được đề cử: Lê Văn Minh
            < Đơn vị: Sở Y tế
            > [Gửi đề cử]
            < Đã gửi đề cử DC-2026-0001
        """)
    finally:
        await restarted.close()


async def test_an_unfinished_nomination_can_be_continued_or_discarded(staff: Chat) -> None:
    await staff.converse("""
        > /decu
        > [Tập thể tiêu biểu]
        > Phòng Văn hóa số
        > /menu
        > /decu
        < đang soạn dở một đề cử (Phòng Văn hóa số)
        > [Làm tiếp]
        < thuộc đơn vị nào
        > /hoso
        > /decu
        < đang soạn dở
        > [Bỏ bản cũ]
        < Anh/chị muốn đề cử loại nào?
        > /decu
        < Anh/chị muốn đề cử loại nào?
    """)


async def test_attachments_are_stored_within_limits(bot: BotApp, staff: Chat) -> None:
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
    """)
    turn = await staff.send_event(_file(staff, "early"))
    assert "bước này chưa cần tệp" in turn.text and "Họ và tên đầy đủ" in turn.text
    await staff.converse(f"""
        > Lê Văn Minh
        > y te
        > [Sở Y tế]
        > Chuyên viên
        > {ACHIEVEMENTS}
        > [Bỏ qua]
        < Minh chứng
        < tối đa 5 tệp, mỗi tệp không quá 20 MB
    """)
    turn = await staff.send_event(_file(staff, "too-big", size=25 * 1024 * 1024, name="video.mp4"))
    assert "vượt giới hạn 20 MB" in turn.text
    for index in range(5):
        turn = await staff.send_event(_file(staff, f"file-{index}", name=f"anh{index}.jpg"))
        assert f"({index + 1}/5 tệp)" in turn.text
    turn = await staff.send_event(_file(staff, "file-6"))
    assert "đủ 5 tệp" in turn.text
    await staff.converse("""
        > [Xong phần minh chứng]
        < 5 tệp
        < anh0.jpg
        > [Gửi đề cử]
        < Đã gửi đề cử DC-2026-0001
    """)
    detail = await _detail(bot, "DC-2026-0001")
    assert [a.ref for a in detail.attachments] == [f"file-{i}" for i in range(5)]
    assert detail.attachments[0].file_name == "anh0.jpg"
    assert detail.attachments[0].mime_type == "image/jpeg"
    assert detail.attachments[0].size == 200_000 and detail.attachments[0].channel == "test"


async def test_the_web_chat_asks_for_evidence_in_words(bot: BotApp) -> None:
    web = await register_citizen(bot, "w-abc", channel="web")
    await web.converse(f"""
        > /decu
        > [Sáng kiến chuyển đổi số]
        > Bản đồ số du lịch cộng đồng
        > buon ma thuot
        > [Phường Buôn Ma Thuột]
        > {INITIATIVE_TEXT}
        > [Bỏ qua]
        < chưa gửi được ảnh và tệp
        < gửi kèm khi đề cử qua Telegram hoặc Zalo
    """)


async def test_nothing_is_asked_outside_a_round(bot: BotApp, staff: Chat) -> None:
    await staff.converse(PERSON)
    await bot.services.nominations.rounds.close("dot1-2026")
    await staff.converse("""
        > [Gửi đề cử]
        < chưa có đợt nhận đề cử khen thưởng nào, và chưa có lịch đợt tiếp theo
        < vẫn được giữ nguyên
    """)
    draft = await bot.services.nominations.drafts.get(await _user_id(staff))
    assert draft is not None and draft.nominee_name == "Lê Văn Minh"
    await bot.services.nominations.rounds.open(
        name="Đợt 2 năm 2026",
        categories=(Category.PERSON,),
        opens_on=date(2026, 9, 1),
        closes_on=date(2026, 9, 30),
    )
    await staff.converse("""
        > /decu
        < Đợt tiếp theo "Đợt 2 năm 2026" mở từ ngày 01/09/2026 đến hết ngày 30/09/2026
        < vẫn được giữ nguyên
    """)
    stranger = Chat(bot, user_id="stranger")
    turn = await stranger.say("/decu")
    assert "cần anh/chị đăng ký trước" in turn.text


async def test_a_round_that_excludes_a_category_only_offers_the_others(bot: BotApp) -> None:
    await bot.services.nominations.rounds.close("dot1-2026")
    await bot.services.nominations.rounds.open(
        name="Đợt sáng kiến",
        categories=(Category.INITIATIVE,),
        opens_on=date(2026, 6, 1),
        closes_on=date(2026, 6, 30),
    )
    chat = await register_citizen(bot, "citizen-2")
    turn = await chat.converse("""
        > /decu
        < Anh/chị muốn đề cử loại nào?
    """)
    assert [label for label, _ in turn.buttons] == ["Sáng kiến chuyển đổi số"]
    turn = await chat.act("nom:cat:person")
    assert "không còn dùng được" in turn.text


async def test_typed_words_and_numbers_answer_like_buttons(bot: BotApp) -> None:
    zalo = await register_citizen(bot, "z-1", channel="zalo_bot")
    await zalo.converse(f"""
        > /decu
        > 1
        > Lê Văn Minh
        > y te
        > 1
        > Chuyên viên
        > {ACHIEVEMENTS}
        > bo qua
        < Minh chứng
        < tối đa 5 tệp
        > Xong
        < kiểm tra lại đề cử
        < Kết quả đo được: (chưa có)
        < 0 tệp; mô tả: (chưa có)
        > 1
        < Đã gửi đề cử DC-2026-0001
    """)


async def test_the_category_typed_in_short_is_understood(staff: Chat) -> None:
    await staff.converse("""
        > /decu
        < Anh/chị muốn đề cử loại nào?
        > ca nhan
        < Họ và tên đầy đủ của người được đề cử
    """)
