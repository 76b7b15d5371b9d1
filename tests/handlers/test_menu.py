"""/menu and /trogiup: every registered command is explained somewhere."""

from __future__ import annotations

from bot.handlers import build_router
from bot.messages import load_catalog
from bot.services.users import Role
from tests.helpers.chat import Chat


def test_help_mentions_every_registered_command() -> None:
    t = load_catalog()
    explained = t("menu.help") + t("menu.help_council") + t("menu.help_console")
    missing = [
        name for name in build_router().commands if f"/{name}" not in explained and name != "start"
    ]
    assert not missing, missing


async def test_council_commands_are_shown_only_to_the_council(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /trogiup
        < /kiemtra
    """)
    assert "/duyetdecu" not in chat.last.text  # type: ignore[union-attr]
    await chat.bot.services.users.grant(channel="test", external_id="u1", role=Role.COUNCIL)
    await chat.converse("""
        > /trogiup
        < /duyetdecu
    """)


async def test_the_console_command_is_shown_only_to_role_holders(chat: Chat) -> None:
    await chat.converse("""
        > /start
        > [Đồng ý]
        > [Người dân]
        > /trogiup
    """)
    assert "/dangnhapweb" not in chat.last.text  # type: ignore[union-attr]
    await chat.bot.services.users.grant(channel="test", external_id="u1", role=Role.COUNCIL)
    await chat.converse("""
        > /trogiup
        < /dangnhapweb
    """)
