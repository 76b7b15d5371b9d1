"""Editing the knowledge base: reload or restart picks it up; an invalid edit changes nothing."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.app import BotApp
from bot.config import Settings
from bot.core.clock import FrozenClock
from tests.content.helpers import copy_content, edit
from tests.helpers.chat import Chat

QUESTION = "ngày chuyển đổi số quốc gia là ngày nào"
TOPIC_FILE = "topics/ngay-cds-quoc-gia.md"
FIRST_LINE = "Ngày 10/10 hằng năm"


def _bot(settings: Settings, content: Path, clock: FrozenClock) -> BotApp:
    return BotApp.build(settings.model_copy(update={"content_dir": content}), clock=clock)


async def _answer(bot: BotApp) -> str:
    return (await Chat(bot, user_id="reader").say(QUESTION)).text


async def test_reload_reaches_a_running_bot_and_invalid_edits_are_refused(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    content = copy_content(tmp_path / "content")
    assert FIRST_LINE in (content / TOPIC_FILE).read_text(encoding="utf-8")
    running = _bot(settings, content, clock)
    editor = _bot(settings, content, clock)  # stands for `cdsbot content reload`
    try:
        assert FIRST_LINE in await _answer(running)

        # the body's first line (a source title may quote the same words)
        edit(content / TOPIC_FILE, "\n" + FIRST_LINE, "\nBản sửa mới: ngày 10/10 hằng năm")
        assert "Bản sửa mới" not in await _answer(running)  # nothing changes by itself
        result = await editor.services.knowledge.reload()
        assert result.changed and not result.issues and result.topics == 30
        assert "Bản sửa mới" not in await _answer(running)  # checked at most every 5 s
        clock.advance(timedelta(seconds=6))
        assert "Bản sửa mới" in await _answer(running)

        edit(content / TOPIC_FILE, "title: Ngày Chuyển đổi số quốc gia 10/10\n", "")
        refused = await editor.services.knowledge.reload()
        assert refused.version is None
        assert any(issue.startswith(f"{TOPIC_FILE}:2: thiếu 'title'") for issue in refused.issues)
        clock.advance(timedelta(seconds=6))
        assert "Bản sửa mới" in await _answer(running)  # still the last good content

        restarted = _bot(settings, content, clock)  # a restart on the broken files
        try:
            assert "Bản sửa mới" in await _answer(restarted)
        finally:
            await restarted.close()
    finally:
        await running.close()
        await editor.close()


async def test_a_restart_on_edited_files_publishes_them_to_other_processes(
    settings: Settings, clock: FrozenClock, tmp_path: Path
) -> None:
    content = copy_content(tmp_path / "content")
    running = _bot(settings, content, clock)
    try:
        assert FIRST_LINE in await _answer(running)
        edited = copy_content(tmp_path / "edited")
        edit(edited / TOPIC_FILE, "\n" + FIRST_LINE, "\nSau khi khởi động lại: ngày 10/10 hằng năm")
        restarted = _bot(settings, edited, clock)
        try:
            assert "Sau khi khởi động lại" in await _answer(restarted)
        finally:
            await restarted.close()
        clock.advance(timedelta(seconds=6))
        assert "Sau khi khởi động lại" in await _answer(running)
    finally:
        await running.close()
