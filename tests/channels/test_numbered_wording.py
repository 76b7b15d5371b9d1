"""Issue 13 item 6 on channels without buttons (Zalo Bot): one set of numbers per message, one
instruction per question, help worded for the channel."""

from __future__ import annotations

import re

from bot.app import BotApp
from bot.channels.zalo_render import ZaloText, render_numbered
from bot.core.replies import Button, Text, text
from tests.helpers.chat import Chat
from tests.quiz.helpers import register_staff

NUMBERED_LINE = re.compile(r"^\d+[.)] ", re.MULTILINE)


def _zalo(bot: BotApp, *replies: Text) -> list[str]:
    pieces = render_numbered(list(replies), bot.catalog, limit=2000)
    return [piece.text for piece in pieces if isinstance(piece, ZaloText)]


async def test_a_knowledge_base_answer_has_one_numbered_list(bot: BotApp) -> None:
    chat = Chat(bot, channel="zalo_bot", user_id="z1")
    answer = await chat.say("lam sao dang ky vneid muc 2")
    shown = "\n".join(_zalo(bot, *answer.replies))  # type: ignore[arg-type]
    numbers = [int(n.rstrip(".) ")) for n in NUMBERED_LINE.findall(shown)]
    assert numbers == list(range(1, len(answer.buttons) + 1))  # the choices, and only them
    assert "① " in shown and "② " in shown  # the steps are still in order, marked apart


def test_steps_in_an_earlier_message_are_marked_too(bot: BotApp) -> None:
    steps = Text("Các bước:\n1. Mở ứng dụng.\n2. Đăng nhập.")
    question = text("Anh/chị muốn làm gì?", [Button("Xem thêm", "x")], [Button("Menu", "m")])
    shown = "\n".join(_zalo(bot, steps, Text("x" * 1990), question))  # too long to join
    assert NUMBERED_LINE.findall(shown) == ["1. ", "2. "]
    assert "① Mở ứng dụng." in shown


async def test_a_quiz_question_on_zalo_gives_one_instruction(bot: BotApp) -> None:
    chat = Chat(bot, channel="zalo_bot", user_id="z1")
    await register_staff(chat, "SKHCN")
    await chat.converse("""
        > /kiemtra
        > [Kỹ năng số cơ bản]
        > [Làm bài chính thức]
    """)
    assert chat.last is not None
    [shown] = _zalo(bot, *chat.last.replies)  # type: ignore[arg-type]
    assert "1. A" not in shown and "1, 2, 3" not in shown
    # The instruction is the channel's; the question and its options may say "bấm" themselves
    # (a scam question quotes the button people are told to press), so only the lines the bot
    # adds around the question are checked.
    instructions = [line for line in shown.splitlines() if "A, B, C hoặc D" in line]
    assert len(instructions) == 1 and "bấm" not in instructions[0].lower()
    assert "Câu 1/10" in (await chat.say("b")).text  # the letter typed answers it


async def test_help_is_worded_for_each_channel(bot: BotApp) -> None:
    on_telegram = await Chat(bot, channel="telegram", user_id="1").say("/trogiup")
    on_zalo = await Chat(bot, channel="zalo_bot", user_id="z1").say("/trogiup")
    assert "bấm nút" in on_telegram.text and "Zalo" not in on_telegram.text
    assert "gõ số thứ tự" in on_zalo.text and "bấm" not in on_zalo.text
