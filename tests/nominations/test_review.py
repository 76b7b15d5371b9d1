"""/duyetdecu: the queue, approve / reject / ask for more, reasons recorded, nominators notified."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.app import BotApp
from bot.core.clock import FrozenClock
from bot.core.events import Attachment, EventKind, IncomingEvent
from bot.core.replies import Document, Image, Text
from bot.core.state import ConversationKey
from bot.nominations.details import actor_label
from bot.nominations.types import Action, Decision, Status
from bot.services.users import Role
from bot.storage.state_store import SqlStateStore
from tests.helpers.chat import Chat, Turn
from tests.nominations.conftest import make_council, register_citizen, register_staff
from tests.nominations.forms import ACHIEVEMENTS, nominate_person

pytestmark = pytest.mark.usefixtures("open_round")


def _notice_texts(turn: Turn, channel: str, user_id: str) -> list[str]:
    return [
        reply.text
        for notice in turn.notices
        if (notice.channel, notice.user_id) == (channel, user_id)
        for reply in notice.replies
        if isinstance(reply, Text)
    ]


async def test_approve_notifies_the_nominator_and_supporters(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await nominate_person(staff)
    supporter = await register_citizen(bot, "c-9")
    await nominate_person(supporter, name="Le Van Minh")
    turn = await council.converse("""
        > /duyetdecu
        < Đề cử DC-2026-0001 — Chờ xét duyệt
        < Người được đề cử: Lê Văn Minh
        < Người đề cử: Võ Thị Thanh Xuân — Chuyên viên, Sở Khoa học và Công nghệ
        < Người ủng hộ (1)
        < Người dân (qua test)
        < Tên như người ủng hộ gõ: Le Van Minh
        < Còn 1 đề cử chờ xét duyệt
        > [Duyệt]
        < gõ ý kiến của Hội đồng khi duyệt đề cử DC-2026-0001
        > Đủ điều kiện khen thưởng cấp tỉnh.
        < Đã ghi nhận: đề cử DC-2026-0001 — Đã được duyệt
        < Đã báo cho 2 người
        < không còn đề cử nào chờ xét duyệt
    """)
    assert not turn.replies[0].buttons  # type: ignore[attr-defined]
    to_nominator = _notice_texts(turn, "test", "u1")
    assert to_nominator == [
        "🏅 Tin vui: đề cử DC-2026-0001 (Lê Văn Minh) của anh/chị đã được Hội đồng Thi đua – "
        "Khen thưởng duyệt.\nÝ kiến của Hội đồng: Đủ điều kiện khen thưởng cấp tỉnh."
    ]
    to_supporter = _notice_texts(turn, "test", "c-9")
    assert len(to_supporter) == 1 and "(Le Van Minh)" in to_supporter[0]
    assert {(n.channel, n.user_id) for n in turn.notices} == {("test", "u1"), ("test", "c-9")}
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.status is Status.APPROVED
    decision = detail.history[-1]
    assert decision.action is Action.APPROVED and decision.actor == "Trần Văn Hội"
    assert decision.note == "Đủ điều kiện khen thưởng cấp tỉnh." and decision.at is not None
    mine = await staff.say("/decucuatoi")
    assert "DC-2026-0001 — Lê Văn Minh (Cá nhân tiêu biểu) — Đã được duyệt" in mine.text


async def test_reject_with_reason(bot: BotApp, staff: Chat, council: Chat) -> None:
    await nominate_person(staff)
    turn = await council.converse("""
        > /duyetdecu
        > [Không duyệt]
        < gõ lý do không duyệt đề cử DC-2026-0001
        > ok
        < Lý do cần ít nhất 5 ký tự
        > Thành tích chưa đủ thời gian một năm.
        < Đã ghi nhận: đề cử DC-2026-0001 — Không được duyệt
    """)
    assert _notice_texts(turn, "test", "u1") == [
        "Đề cử DC-2026-0001 (Lê Văn Minh) của anh/chị chưa được Hội đồng Thi đua – Khen thưởng "
        "chấp thuận.\nLý do: Thành tích chưa đủ thời gian một năm.\nCảm ơn anh/chị đã đồng hành "
        "cùng phong trào chuyển đổi số."
    ]
    await staff.converse("""
        > /decucuatoi
        > [Xem DC-2026-0001]
        < Không được duyệt
        < Không duyệt: Thành tích chưa đủ thời gian một năm.
    """)


async def test_asking_for_more_information_and_the_answer(
    bot: BotApp, staff: Chat, council: Chat, clock: FrozenClock
) -> None:
    await nominate_person(staff)
    turn = await council.converse("""
        > /duyetdecu
        > [Yêu cầu bổ sung]
        > Xin gửi quyết định công nhận tổ công nghệ số.
        < Cần bổ sung thông tin
    """)
    notice = next(n for n in turn.notices if n.user_id == "u1")
    reply = notice.replies[0]
    assert isinstance(reply, Text) and "Xin gửi quyết định công nhận tổ công nghệ số." in reply.text
    button = reply.buttons[0][0]
    clock.advance(timedelta(hours=2))
    await staff.act(button.action)
    assert staff.last is not None and "Xin gửi quyết định công nhận" in staff.last.text
    await staff.converse("""
        > ngắn
        < ít nhất 10 ký tự
        > Quyết định số 12/QĐ-UBND ngày 05/03/2026 của UBND phường.
        < Đã gửi phần bổ sung cho đề cử DC-2026-0001
    """)
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.status is Status.PENDING
    assert detail.history[-1].action is Action.SUPPLEMENTED
    assert detail.history[-1].note == "Quyết định số 12/QĐ-UBND ngày 05/03/2026 của UBND phường."
    await council.converse("""
        > /duyetdecu
        < Bổ sung thông tin (Võ Thị Thanh Xuân): Quyết định số 12/QĐ-UBND
    """)
    turn = await staff.act(button.action)
    assert "không cần bổ sung" in turn.text


async def test_a_decision_already_taken_by_someone_else_is_not_overwritten(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await nominate_person(staff)
    other = await make_council(bot, "c2", name="Phan Thị Mai")
    await council.converse("""
        > /duyetdecu
        > [Duyệt]
    """)
    await other.converse("""
        > /duyetdecu
        > [Không duyệt]
        > Chưa đủ minh chứng.
        < Không được duyệt
    """)
    turn = await council.converse("""
        > Xứng đáng được khen thưởng.
        < vừa được xử lý
        < Phan Thị Mai
        < Không được duyệt
    """)
    assert not turn.notices
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.status is Status.REJECTED
    assert [h.action for h in detail.history] == [Action.SUBMITTED, Action.REJECTED]


async def test_a_stale_button_after_ones_own_decision_asks_nothing_and_blames_nobody(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await nominate_person(staff)
    shown = await council.say("/duyetdecu")
    reject = shown.button("Không duyệt")
    await council.converse("""
        > [Duyệt]
        > Xứng đáng được khen thưởng.
        < Đã ghi nhận
    """)
    turn = await council.act(reject)  # the old message's "Không duyệt", pressed afterwards
    assert "đã được xử lý trước khi anh/chị chọn nút này" in turn.text
    assert "người khác" not in turn.text and "lý do" not in turn.text.lower()
    state = await SqlStateStore(bot.db).load(ConversationKey("test", "c1"))
    assert state.step is None  # no reason is being asked for
    detail = await bot.services.nominations.review.by_code("DC-2026-0001")
    assert detail is not None and detail.status is Status.APPROVED


async def test_later_skips_and_a_code_opens_one_even_when_decided(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    await nominate_person(staff)
    await nominate_person(staff, name="Vũ Thị Ngọc", unit="Sở Tư pháp")
    await council.converse("""
        > /duyetdecu
        < Đề cử DC-2026-0001
        < Còn 2 đề cử
    """)
    state = await SqlStateStore(bot.db).load(ConversationKey("test", "c1"))
    assert state.step is None  # typed text is free text again, not a stuck review step
    await council.converse("""
        > [Để sau]
        < Đề cử DC-2026-0002
        > [Để sau]
        < đã xem hết hàng chờ (để sau 2 đề cử)
        > /duyetdecu dc-2026-0002
        < Người được đề cử: Vũ Thị Ngọc
        > /duyetdecu DC-2026-9999
        < Không có đề cử mã "DC-2026-9999"
    """)
    review = bot.services.nominations.review
    profile = await bot.services.users.find(channel="test", external_id="c1")
    detail = await review.by_code("DC-2026-0001")
    assert profile is not None and detail is not None
    first = await review.decide(
        detail.id,
        decision=Decision.REJECT,
        reason="Thiếu minh chứng.",
        reviewer_id=profile.id,
        reviewer_label=actor_label(profile),
        expected=Status.PENDING,
    )
    assert first.status is Status.REJECTED
    turn = await council.converse("""
        > /duyetdecu DC-2026-0001
        < Không được duyệt
        < Không duyệt (Trần Văn Hội): Thiếu minh chứng.
        > [Duyệt]
        > Đã bổ sung đủ minh chứng qua văn bản.
        < Đã được duyệt
        < Đề cử DC-2026-0002
    """)
    assert len(turn.notices) == 1


async def test_the_council_opens_the_evidence_files_in_chat(
    bot: BotApp, staff: Chat, council: Chat
) -> None:
    """The files come back as photos and documents through the reviewer's channel: by the
    file's own handle on the channel it was sent on, by its link anywhere."""
    await staff.converse("""
        > /decu
        > [Cá nhân tiêu biểu]
        > Lê Văn Minh
        > y te
        > [Sở Y tế]
        > Chuyên viên
    """)
    await staff.say(ACHIEVEMENTS)
    await staff.press("Bỏ qua")
    for ref, kind, name in (
        ("AgACfile-id-of-the-channel", "photo", "anh.jpg"),
        ("https://zalo.example/quyet-dinh.pdf", "document", "quyet-dinh.pdf"),
    ):
        event = IncomingEvent(
            staff.channel,
            staff.user_id,
            staff.user_id,
            EventKind.ATTACHMENT,
            attachment=Attachment(kind, ref, name, "image/jpeg", 34 * 1024),
        )
        assert "Đã nhận" in (await staff.send_event(event)).text
    await staff.converse("""
        > [Xong phần minh chứng]
        < 34 KB
        > [Gửi đề cử]
    """)
    shown = await council.say("/duyetdecu")
    assert "34 KB" in shown.text and "0.0 MB" not in shown.text
    files = await council.press("Xem minh chứng (2 tệp)")
    [photo, document, decision] = files.replies
    assert isinstance(photo, Image) and photo.url == "AgACfile-id-of-the-channel"
    assert isinstance(document, Document) and document.url.endswith("quyet-dinh.pdf")
    assert isinstance(decision, Text) and "Quyết định của anh/chị" in decision.text
    assert "✅ Duyệt" in [label for label, _ in files.buttons]

    web = await register_staff(bot, "wc", name="Đỗ Văn Hải", channel="web")
    await bot.services.users.grant(channel="web", external_id="wc", role=Role.COUNCIL)
    await web.say("/duyetdecu")
    elsewhere = await web.press("Xem minh chứng")
    assert "anh.jpg" in elsewhere.text and "nằm trên" in elsewhere.text
    assert [r.url for r in elsewhere.replies if isinstance(r, Document)] == [document.url]
    assert not [r for r in elsewhere.replies if isinstance(r, Image)]  # a handle of another app
