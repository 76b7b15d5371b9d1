"""/donvi: a manager's unit against each target, who is missing, and the chart of sub-units."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.replies import Image
from bot.services.users import Role
from tests.helpers.chat import Chat
from tests.quiz.factories import SETS, add_result, load_tree, make_staff, make_target
from tests.quiz.helpers import register_staff


async def test_manager_sees_progress_missing_people_and_chart(chat: Chat) -> None:
    bot = chat.bot
    units = await load_tree(bot)
    await make_target(bot)
    when = datetime(2026, 5, 3, tzinfo=UTC)
    for n in range(3):
        uid = await make_staff(bot, units["QA"], f"Lê Văn Đạt {n}")
        for slug in SETS:
            await add_result(bot, uid, slug, 0.9, when)
    half = await make_staff(bot, units["QA"], "Trần Thị Một Nửa")
    await add_result(bot, half, SETS[0], 1.0, when)
    uid = await make_staff(bot, units["QF1"], "Phạm Văn Phòng")
    for slug in SETS:
        await add_result(bot, uid, slug, 0.8, when)
    roster = await bot.services.quiz.roster.import_text(
        "unit_code,full_name,position,phone\n"
        "QA,Lê Văn Đạt 0,Chuyên viên,\n"
        "QA,Hoàng Văn Chưa Dùng,Kế toán,0905123456\n"
    )
    assert roster.ok, roster.errors

    await register_staff(chat, "QA", name="Ngô Thị Quản Lý")
    await chat.converse("""
        > /donvi
        < dành cho lãnh đạo đơn vị
    """)
    await bot.services.users.grant(
        channel="test", external_id="u1", role=Role.MANAGER, unit_code="QA"
    )
    await chat.converse("""
        > /donvi
        < 🏢 Đơn vị A — Chỉ tiêu T2026 (hạn 30/06/2026)
        < Đạt: 3/10 biên chế (30%), chỉ tiêu 80%. Đã đăng ký dùng Trợ lý: 5 người.
        < Xếp hạng: 2/7 đơn vị.
        < Còn 2 người đã đăng ký chưa đạt:
        < • Ngô Thị Quản Lý (Chuyên viên): đã đạt 0/2 bộ
        < • Trần Thị Một Nửa (Chuyên viên): đã đạt 1/2 bộ
        < chưa đăng ký dùng Trợ lý (1 người):
        < • Hoàng Văn Chưa Dùng (Kế toán)
    """)
    assert "Lê Văn Đạt 0 (" not in chat.last.text  # type: ignore[union-attr]
    assert not any(isinstance(r, Image) for r in chat.last.replies)  # type: ignore[union-attr]

    await bot.services.users.grant(
        channel="test", external_id="u1", role=Role.MANAGER, unit_code="QROOT"
    )
    await chat.converse("""
        > /donvi
        < Anh/chị chọn đơn vị
        > [Khối thử nghiệm]
        < 🏢 Khối thử nghiệm — Chỉ tiêu T2026
        < Đạt: 4/31 biên chế
    """)
    images = [r for r in chat.last.replies if isinstance(r, Image)]  # type: ignore[union-attr]
    assert len(images) == 1 and images[0].data.startswith(b"\x89PNG")
    assert "Khối thử nghiệm" in images[0].caption
    board = await bot.services.quiz.progress.unit_report(units["QROOT"])
    children = {row.code: (row.headcount, row.passed) for row in board[0].children}
    assert children == {
        "QA": (10, 3),
        "QB": (5, 0),
        "QC": (2, 0),
        "QD": (4, 0),
        "QE": (4, 0),
        "QF": (3, 1),
        "QG": (3, 0),
    }
    forged = await chat.act(f"qdv:u:{units['QB']}")
    assert "Nút này đã cũ" in forged.text
