"""/tieptuc: an unfinished flow says what it is waiting for (after a reload, on another device)."""

from __future__ import annotations

from datetime import date

from bot.app import BotApp
from bot.core.state import flow_of
from bot.handlers import build_router
from bot.messages import load_catalog
from bot.nominations.types import Category
from tests.helpers.chat import Chat


def test_every_flow_has_a_name_people_can_read() -> None:
    router = build_router()
    t = load_catalog()
    prefixes = {flow_of(step) for step in router.steps} | set(router.flows) | set(router.cancels)
    missing = sorted(p for p in prefixes if not t.has(f"flows.names.{p}"))
    assert not missing, f"flows without a name in bot/messages/vi/flows.yaml: {missing}"


async def test_without_a_flow_it_offers_the_menu(chat: Chat) -> None:
    await chat.converse("""
        > /tieptuc
        < không có việc nào đang làm dở
        < Anh/chị muốn làm gì?
    """)


async def test_mid_registration_it_asks_the_current_question_again(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > /tieptuc
        < Anh/chị là
        > [Cán bộ]
        > so y te
        < họ và tên
        > /tieptuc
        < Đơn vị: Sở Y tế. Anh/chị cho biết họ và tên đầy đủ
        > Phạm Thị Lan
        < Chức vụ
        > /tieptuc
        < Cảm ơn anh/chị Phạm Thị Lan. Chức vụ
        > Điều dưỡng
        < Đăng ký xong
    """)


async def test_mid_quiz_it_shows_the_current_question_with_live_buttons(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /kiemtra
    """)
    await chat.act(chat.last.buttons[0][1])  # type: ignore[union-attr]
    assert "Câu 1/" in chat.last.text  # type: ignore[union-attr]
    await chat.say("A")
    assert "Câu 2/" in chat.last.text  # type: ignore[union-attr]
    await chat.say("/menu")  # the conversation moved on: "A" alone would no longer answer
    resumed = await chat.say("/tieptuc")
    assert "Câu 2/" in resumed.text and "tiếp tục bài đang làm" in resumed.text
    assert [label for label, _ in resumed.buttons] == ["A", "B", "C", "D"]
    answered = await chat.press("B")
    assert "Câu 2/" in answered.text and "Câu 3/" in answered.text


async def test_mid_nomination_it_asks_the_form_question_again(chat: Chat, bot: BotApp) -> None:
    await bot.services.nominations.rounds.open(
        name="Đợt 1 năm 2026",
        categories=tuple(Category),
        opens_on=date(2026, 5, 15),
        closes_on=date(2026, 6, 30),
    )
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn Minh
        < công tác ở đơn vị nào
        > /tieptuc
        < công tác ở đơn vị nào
        > y te
        < Sở Y tế
    """)


async def test_a_flow_without_its_own_resume_shows_its_name_and_last_choices(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /nhantin
    """)
    offered = chat.last.buttons  # type: ignore[union-attr]
    assert offered
    resumed = await chat.converse("""
        > /tieptuc
        < Anh/chị đang làm dở: Chọn giờ nhận mẹo số
    """)
    assert resumed.buttons == offered
    await chat.act(offered[0][1])
    assert "Đã đăng ký" in chat.last.text  # type: ignore[union-attr]
