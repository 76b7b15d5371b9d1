"""Questions and answers in conversation: free text, small talk, the topic browser, feedback."""

from __future__ import annotations

from tests.helpers.chat import Chat


async def test_unaccented_question_gets_the_topic_answer_with_follow_ups(chat: Chat) -> None:
    turn = await chat.converse("""
        > lam sao dang ky vneid muc 2
        < Tài khoản định danh điện tử mức 1 và mức 2
        < Câu trả lời có hữu ích không?
        < Xem thêm
    """)
    assert ("👍 Có ích", "kb:f:vneid-muc-2:1") in turn.buttons
    await chat.converse("""
        > [Xem thêm]
        < So sánh nhanh
        < Nguồn:
        < Thông tin được rà soát ngày 02/12/2026
    """)


async def test_feedback_is_recorded_without_who_gave_it(chat: Chat) -> None:
    await chat.converse("""
        > quên mật khẩu VNeID thì làm sao
        < Câu trả lời có hữu ích không?
        > [Chưa có ích]
        < Cảm ơn anh/chị đã góp ý
    """)
    counts = await chat.bot.services.knowledge.feedback()
    assert [(c.topic, c.helpful, c.unhelpful) for c in counts] == [("vneid-quen-mat-khau", 0, 1)]


async def test_out_of_scope_question_is_declined_logged_and_offers_topics(chat: Chat) -> None:
    turn = await chat.converse("""
        > giá vàng hôm nay bao nhiêu
        < chưa
        < Xem các chủ đề
        < Menu chính
    """)
    assert "Câu trả lời có hữu ích" not in turn.text
    logged = await chat.bot.services.knowledge.unanswered()
    assert [(g.question, g.times) for g in logged] == [("giá vàng hôm nay bao nhiêu", 1)]


async def test_greeting_and_thanks_get_a_friendly_reply(chat: Chat) -> None:
    await chat.converse("""
        > xin chào
        < Xin chào anh/chị!
        < Tìm hiểu chuyển đổi số
        > cảm ơn nhiều nha
        < không có gì
        > bạn là ai
        < không phải người thật
    """)
    assert await chat.bot.services.knowledge.unanswered() == []


async def test_topic_browser_pages_and_opens_a_topic(chat: Chat) -> None:
    await chat.converse("""
        > /hoidap
        < Tìm hiểu chuyển đổi số
        > [Chuyển đổi số là gì]
        < trang 1/2
        > [Trang sau]
        < trang 2/2
        > [Trang trước]
        < trang 1/2
        > [Trang sau]
        > [Ngày Chuyển đổi số quốc gia]
        < 10/10
        > [Xem các chủ đề]
        < Phong trào thi đua của tỉnh
    """)


async def test_menu_button_opens_the_browser_and_stale_buttons_are_handled(chat: Chat) -> None:
    await chat.say("/menu")
    await chat.converse("""
        > [Tìm hiểu chuyển đổi số]
        < chọn một nhóm chủ đề
    """)
    turn = await chat.act("kb:t:khong-co-chu-de-nay")
    assert "không còn trong kho kiến thức" in turn.text
    turn = await chat.act("kb:th:cds:abc")
    assert "Nút này đã cũ" in turn.text
