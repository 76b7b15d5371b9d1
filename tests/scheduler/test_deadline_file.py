"""The deadlines file and the due-time notation administrators write."""

from __future__ import annotations

from datetime import date

import pytest

from bot.scheduler.audience_spec import SPEC_HELP
from bot.scheduler.deadline_file import BadDue, parse_due, read
from tests.scheduler.helpers import VN, local


def test_due_times_in_the_usual_notations() -> None:
    assert parse_due("30/06/2026 17:00", VN) == local("30/06/2026 17:00")
    assert parse_due("30/06/2026 17h30", VN) == local("30/06/2026 17:30")
    assert parse_due("1/7/2026", VN) == local("01/07/2026 17:00")  # a date alone: end of office
    assert parse_due("2026-06-30T08:00", VN) == local("30/06/2026 08:00")
    assert parse_due("2026-06-30T01:00+00:00", VN) == local("30/06/2026 08:00")
    for wrong in ("31/02/2026", "30-06-2026 5pm", "", "ngày mai"):
        with pytest.raises(BadDue):
            parse_due(wrong, VN)


def test_a_file_with_problems_lists_every_one_with_its_entry() -> None:
    parsed = read(
        """
deadlines:
  - code: tot
    title: Việc tốt
    due: 30/06/2026
    audience: {kind: all_staff}
  - code: tot
    title: Trùng mã
    due: 30/06/2026
    audience: {kind: all_staff}
  - code: sai moc
    title: ""
    due: 30/06/2026
    offsets: [7 ngày]
  - just a string
""",
        tz=VN,
        today=date(2026, 6, 1),
    )
    assert [entry.code for entry in parsed.entries] == ["tot"]
    assert parsed.errors == [
        "Dòng 7, mục 2 (tot): mã 'tot' bị trùng.",
        "Dòng 11, mục 3 (sai moc): mã (code) chỉ gồm chữ không dấu, số, '-' hoặc '_' (tối đa 64"
        " ký tự).",
        "Dòng 12, mục 3 (sai moc): cần tiêu đề (title) dài 1–300 ký tự.",
        "Dòng 14, mục 3 (sai moc): mốc nhắc '7 ngày' chưa đúng (dùng 7d, 3d, 1d, 12h hoặc"
        " morning).",
        "Dòng 11, mục 3 (sai moc): cần đối tượng nhận (audience), một trong: " + SPEC_HELP + ".",
        "Dòng 15, mục 4: mỗi mục phải là một bảng khóa: giá trị.",
    ]
    assert read("deadlines: nope", tz=VN, today=date(2026, 6, 1)).errors == [
        "Dòng 1: tệp cần có danh sách 'deadlines:'."
    ]
    assert (
        read("deadlines:\n  - code: [\n", tz=VN, today=date(2026, 6, 1))
        .errors[0]
        .startswith("Dòng 3, cột 1: tệp YAML sai cú pháp")
    )


def test_relative_due_dates_and_defaults() -> None:
    [entry] = read(
        """
deadlines:
  - code: demo
    title: "  Báo cáo  mẫu "
    due_in_days: 3
    due_time: "16:30"
    audience: {kind: managers}
    urgent: true
""",
        tz=VN,
        today=date(2026, 6, 1),
    ).entries
    assert entry.due_at == local("04/06/2026 16:30")
    assert entry.title == "Báo cáo mẫu" and entry.urgent
    assert entry.offsets == ("7d", "3d", "1d", "morning")
