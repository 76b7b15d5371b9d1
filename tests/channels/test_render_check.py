"""The render check used over the whole suite (CDSBOT_RENDER_CHECK=1) really catches refusals."""

from __future__ import annotations

from bot.core.replies import Button, Text, text
from tests.channels.render_check import RenderCheck


async def test_refused_replies_are_recorded_and_each_reply_is_checked_once() -> None:
    check = RenderCheck().start()
    try:
        good = text("Anh/chị <đồng ý> & tiếp tục?", [Button("Có", "x:1")])
        bad = Text("Chọn", ((Button(" ", "x:2"),),))  # Telegram refuses an empty button text
        await check.check([good, bad])
        await check.check([good, bad])
    finally:
        check.stop()
    assert check.checked == 4  # two replies × two platforms, once
    assert [(f["channel"], f["error"]) for f in check.failures] == [
        ("telegram", "Rejected: Button_text_empty")
    ]
