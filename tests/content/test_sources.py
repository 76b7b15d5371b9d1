"""Sources name the exact page and when it was checked; published text has no placeholders,
no unconfirmed address, one quote style; the "cập nhật" line agrees with `reviewed`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from bot.content.loader import parse_snapshot, read_snapshot
from bot.content.proofing import Unconfirmed, text_problems
from bot.content.sources import is_home_page
from tests.content.helpers import copy_content, edit

PLO = "https://plo.vn/can-lam-gi-khi-quen-passcode-cua-ung-dung-vneid-post795976.html"


@pytest.mark.parametrize(
    "url",
    [
        "https://chinhphu.vn",
        "https://chinhphu.vn/",
        "https://bocongan.gov.vn/",
        "https://www.ppd.gov.vn/",
        "https://daklak.gov.vn/index.html",
        "https://moh.gov.vn/vi",
        "https://moh.gov.vn/vi/",
        "https://www.mic.gov.vn/Pages/default.aspx",
        "https://sbv.gov.vn/webcenter/portal/vi/home/index.jsp".replace("webcenter/", ""),
        "https://example.gov.vn/Trang-chu",
        "https://example.gov.vn/?lang=vi",
        "http://example.gov.vn/en-us/home.html",
    ],
)
def test_front_pages_are_recognised(url: str) -> None:
    assert is_home_page(url)


@pytest.mark.parametrize(
    "url",
    [
        PLO,
        "https://tinnhiemmang.vn/website-lua-dao",
        "https://www.mic.gov.vn/mic_2020/Pages/ChuyenMuc/PhanTrang/1753/10/Chuyen-doi-so.html",
        "https://stc.dongnai.gov.vn/Pages/newsdetail.aspx?CatId=98&NewsId=2058",
        "https://baoapbac.vn/xa-hoi/202204/ngay-10-10-hang-nam-la-ngay-chuyen-doi-so-quoc-gia-949202/index.htm",
        "https://example.gov.vn/index.php?option=com_content&id=42",
        "https://ictvietnam.vn/print/69097.html",
    ],
)
def test_pages_of_documents_and_articles_are_not_front_pages(url: str) -> None:
    assert not is_home_page(url)


def _problems(directory: Path, today: date | None = None) -> list[str]:
    kb, issues = parse_snapshot(read_snapshot(directory), today=today)
    assert kb is None, "an invalid snapshot must not produce a knowledge base"
    return [str(issue) for issue in issues]


MUC2 = "topics/vneid-muc-2.md"


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (
            MUC2,
            f"    url: {PLO}\n",
            "    url: https://bocongan.gov.vn/\n",
            "topics/vneid-muc-2.md:45: nguồn là trang chủ (https://bocongan.gov.vn/)",
        ),
        (
            MUC2,
            f"    url: {PLO}\n    checked: 2026-12-02\n",
            f"    url: {PLO}\n",
            "topics/vneid-muc-2.md:44: nguồn thiếu 'checked'",
        ),
        (
            MUC2,
            f"    url: {PLO}\n    checked: 2026-12-02\n",
            f"    url: {PLO}\n    checked: 2027-01-05\n",
            "topics/vneid-muc-2.md:46: 'checked' 2027-01-05 là ngày trong tương lai",
        ),
        (
            MUC2,
            "reviewed: 2026-12-02",
            "reviewed: 2026-12-01",
            "topics/vneid-muc-2.md:51: có nguồn 'checked' sau ngày 'reviewed'",
        ),
        (
            MUC2,
            f"    url: {PLO}\n",
            f"    url: {PLO}\n    checkd: 2026-12-02\n",
            "topics/vneid-muc-2.md:46: khóa 'checkd' không có trong nguồn",
        ),
        (
            MUC2,
            "Đăng ký mức 2:\n",
            "Đăng ký mức 2 (TODO: hỏi lại công an):\n",
            "topics/vneid-muc-2.md:55: còn dấu chờ sửa: “TODO”",
        ),
        (
            MUC2,
            "Đăng ký mức 2:\n",
            "Đăng ký mức 2 (chưa xác nhận):\n",
            "topics/vneid-muc-2.md:55: còn ghi chú chưa xác nhận",
        ),
        (
            MUC2,
            "Đăng ký mức 2:\n",
            "Đăng ký mức 2, xem hướng dẫn tại https://example.com/vneid:\n",
            "topics/vneid-muc-2.md:55: còn địa chỉ ví dụ",
        ),
        (
            MUC2,
            "Đăng ký mức 2:\n",
            "Đăng ký mức 2 (tra cảnh báo tại canhbao.khonggianmang.gov.vn):\n",
            "topics/vneid-muc-2.md:55: nhắc địa chỉ/số chưa xác nhận “canhbao.khonggianmang",
        ),
        (
            MUC2,
            "Đăng ký mức 2:\n",
            'Đăng ký "mức 2":\n',
            'topics/vneid-muc-2.md:55: dùng dấu ngoặc kép “…” thay cho "…"',
        ),
        (
            MUC2,
            "Thông tin cập nhật đến tháng 12/2026.",
            "Thông tin cập nhật đến tháng 11/2026.",
            "topics/vneid-muc-2.md:53: dòng “cập nhật đến tháng 11/2026” không khớp 'reviewed'",
        ),
        (
            MUC2,
            "Thông tin cập nhật đến tháng 12/2026.",
            "Xin cảm ơn.",
            "topics/vneid-muc-2.md:53: câu trả lời ngắn thiếu dòng “Thông tin cập nhật",
        ),
        (
            "tips.yaml",
            "đừng chia sẻ.",
            "đừng chia sẻ, kẻo 'lộ hàng'.",
            "tips.yaml:96: dùng dấu ngoặc kép “…” thay cho ngoặc đơn: 'lộ hàng'",
        ),
        (
            "unconfirmed.yaml",
            "unconfirmed:\n",
            'unconfirmed:\n  - value: "1900.0368"\n    reason: thử\n',
            "topics/vneid-quen-mat-khau.md:",
        ),
    ],
)
def test_source_and_proofing_problems_are_reported(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    directory = copy_content(tmp_path / "content")
    edit(directory / file, old, new)
    problems = _problems(directory, today=date(2026, 12, 2))
    assert any(problem.startswith(expected) for problem in problems), problems


def test_every_shipped_source_is_an_exact_page_checked_on_a_date() -> None:
    kb, issues = parse_snapshot(read_snapshot())
    assert issues == [] and kb is not None
    for topic in kb.topics.values():
        assert topic.sources
        for source in topic.sources:
            assert source.checked is not None and source.checked <= topic.reviewed
            assert not is_home_page(source.url), source.url


def test_a_phone_number_in_the_deny_list_matches_any_spacing() -> None:
    deny = [Unconfirmed("1900.0368", "chưa xác nhận")]
    for text in ("gọi 1900 0368", "gọi 19000368 ngay", "gọi 1900-0368."):
        assert any("1900.0368" in p for p in text_problems(text, deny)), text
    assert text_problems("gọi 19000369", deny) == []
    assert text_problems("mã 1900036812", deny) == []
