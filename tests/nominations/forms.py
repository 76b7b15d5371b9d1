"""Transcripts of the nomination form, reused by several tests."""

from __future__ import annotations

from tests.helpers.chat import Chat

ACHIEVEMENTS = (
    "Chị đã hướng dẫn hơn 1.200 người dân cài đặt và kích hoạt VNeID mức 2, "
    "lập tổ công nghệ số cộng đồng ở 12 thôn buôn."
)

PERSON = f"""
    > /decu
    < Gửi đề cử khen thưởng
    < Anh/chị muốn đề cử loại nào?
    > [Cá nhân tiêu biểu]
    < Họ và tên đầy đủ của người được đề cử
    > Lê Văn Minh
    < công tác ở đơn vị nào
    > y te
    > [Sở Y tế]
    < Chức vụ hoặc vị trí công tác của Lê Văn Minh
    > Phó Chánh Văn phòng
    < thành tích nổi bật
    > {ACHIEVEMENTS}
    < Kết quả đo được
    > giảm 30 % thời gian xử lý hồ sơ
    < Minh chứng
    > [Xong phần minh chứng]
    < kiểm tra lại đề cử
    < Người được đề cử: Lê Văn Minh
    < Đơn vị: Sở Y tế
    < Chức vụ: Phó Chánh Văn phòng
    < Kết quả đo được: giảm 30 % thời gian xử lý hồ sơ
    < Người đề cử (lấy từ hồ sơ của anh/chị): Võ Thị Thanh Xuân — Chuyên viên, Sở Khoa học và
"""


async def nominate_person(
    chat: Chat, name: str = "Lê Văn Minh", unit: str = "Sở Y tế", achievements: str = ACHIEVEMENTS
) -> str:
    """Fill in and send a person's nomination; returns the bot's last answer."""
    await chat.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
    """)
    await chat.say(name)
    typed = await chat.say(unit)
    if "theo đúng tên" not in typed.text:  # the unit named exactly is taken without a tap
        await chat.press(unit)
    await chat.say("Chuyên viên")
    await chat.say(achievements)
    await chat.press("Bỏ qua")
    await chat.press("Xong phần minh chứng")
    turn = await chat.press("Gửi đề cử")
    return turn.text
