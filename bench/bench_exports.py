"""Pages LibreOffice prints for realistic exports: the council's nominations workbook (20
nominations with long texts, supporters and history) and the targets report (one province-wide
target over 102 communes and 30 departments).

Each sheet is saved as a workbook of its own and converted to PDF with
`soffice --headless --convert-to pdf` (LibreOffice Calc applies the sheet's print set-up); the
PDF's pages are counted. `--baseline REV` does the same with the exporters of another git
revision (run in a subprocess on a `git archive` of it). `--write` replaces the exports section
of docs/BENCHMARKS.md. Needs LibreOffice (`apt-get install -y libreoffice-calc
--no-install-recommends`); the test suite does not.
Run: `.venv/bin/python bench/bench_exports.py [--baseline 40cd2cf] [--write]`.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import random
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
START, END = "<!-- exports:start -->", "<!-- exports:end -->"
TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 2, 4, 25, tzinfo=UTC)
WORDS = (
    "triển khai ứng dụng VNeID mức 2 cho người dân trên địa bàn xã, hướng dẫn dịch vụ công "
    "trực tuyến toàn trình, số hóa hồ sơ một cửa, thanh toán không dùng tiền mặt tại chợ, tổ "
    "công nghệ số cộng đồng hỗ trợ 1.250 hộ gia đình, giảm 40% thời gian xử lý hồ sơ"
).split()


def text(rng: random.Random, words: int, paragraphs: int = 1) -> str:
    """Vietnamese-looking text of about `words` words in `paragraphs` paragraphs."""
    per = max(1, words // paragraphs)
    return "\n".join(
        " ".join(rng.choice(WORDS) for _ in range(per)).capitalize() + "."
        for _ in range(paragraphs)
    )


def nominations(rng: random.Random, count: int) -> tuple[object, list[object]]:
    """A round and `count` nominations as the review service hands them to the exporter."""
    from bot.nominations.types import (
        Action,
        AttachmentView,
        Category,
        Contact,
        HistoryEntry,
        NominationDetail,
        RoundView,
        Status,
        SupporterView,
    )

    round_ = RoundView(1, "dot1-2026", "Đợt 1 năm 2026", tuple(Category), date(2026, 6, 1),
                       date(2026, 12, 31), None)  # fmt: skip
    contact = Contact("telegram", "staff", "Võ Thị Thanh Xuân", "Chuyên viên", "Sở Nội vụ")
    details = []
    for number in range(1, count + 1):
        at = NOW - timedelta(days=rng.randint(1, 90), minutes=rng.randint(0, 600))
        files = tuple(
            AttachmentView(
                "telegram",
                "photo",
                f"f{i}",
                f"minh-chung-{i}.jpg",
                "image/jpeg",
                rng.randint(30_000, 3_000_000),
            )  # fmt: skip
            for i in range(rng.randint(0, 3))
        )
        supporters = tuple(
            SupporterView(
                contact,
                f"Nguyễn Văn {number}",
                text(rng, 60),
                text(rng, 20),
                None,
                at + timedelta(days=1),
            )  # fmt: skip
            for _ in range(rng.randint(0, 3))
        )
        history = [HistoryEntry(Action.SUBMITTED, "Võ Thị Thanh Xuân", None, at)]
        if number % 3 == 0:
            history.append(HistoryEntry(Action.REJECTED, "Hội đồng", text(rng, 25), at))
        details.append(
            NominationDetail(
                number,
                f"DC-2026-{number:04d}",
                round_.name,
                round_.code,
                Category.PERSON,
                f"Nguyễn Văn {number}",
                "Ủy ban nhân dân xã Ea Kao",
                "Công chức văn hóa - xã hội",
                text(rng, rng.randint(80, 330), rng.randint(1, 4)),
                text(rng, 60),
                text(rng, 50),
                Status.PENDING,
                at,
                contact,
                files,
                supporters,
                tuple(history),
            )  # fmt: skip
        )
    return round_, details


def boards(rng: random.Random) -> list[object]:
    """One province-wide target's leaderboard over 132 units."""
    from bot.quiz.views import Leaderboard, RankedUnit, TargetView

    target = TargetView(1, "CDS-2026", "Kỹ năng số cho cán bộ, công chức năm 2026", "Năm 2026",
                        1, "Tỉnh Đắk Lắk", True, ("ky-nang-so-co-ban",), 0.7, date(2026, 1, 1),
                        date(2026, 12, 31))  # fmt: skip
    rows = []
    for rank in range(1, 133):
        headcount = rng.randint(20, 60)
        passed = rng.randint(0, headcount)
        name = f"Ủy ban nhân dân xã Ea {rank}" if rank % 4 else f"Sở Khoa học và Công nghệ {rank}"
        rows.append(RankedUnit(rank, rank, f"U{rank:03d}", name, headcount, headcount, passed,
                               passed / headcount, 0.8, NOW if passed / headcount >= 0.7
                               else None))  # fmt: skip
    return [Leaderboard(target, 1, "Tỉnh Đắk Lắk", rows)]


def build() -> dict[str, bytes]:
    """The two workbooks, made by the exporters of the code on sys.path."""
    from bot.messages import load_catalog
    from bot.nominations.export import workbook_bytes
    from bot.quiz.report import targets_workbook

    rng = random.Random(7)
    round_, details = nominations(rng, 20)
    # The exporters before this change took no `now` (and, for targets, no `tz`).
    new = "now" in inspect.signature(workbook_bytes).parameters
    books = {"nominations": workbook_bytes(round_, details, TZ, **({"now": NOW} if new else {}))}
    new = "now" in inspect.signature(targets_workbook).parameters
    extra = {"now": NOW, "tz": TZ} if new else {}
    books["targets"] = targets_workbook(boards(rng), {}, load_catalog(), **extra)
    return books


def pages(book: bytes, folder: Path) -> dict[str, int]:
    """Pages LibreOffice prints for each sheet of a workbook."""
    from openpyxl import load_workbook

    names = load_workbook(io.BytesIO(book)).sheetnames
    counts = {}
    for index, name in enumerate(names):
        single = load_workbook(io.BytesIO(book))
        for other in [sheet for sheet in single.sheetnames if sheet != name]:
            single.remove(single[other])
        path = folder / f"sheet{index}.xlsx"
        single.save(path)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
            check=True,
            capture_output=True,
            timeout=300,
        )
        pdf = path.with_suffix(".pdf").read_bytes()
        counts[name] = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    return counts


def measure_here() -> dict[str, dict[str, int]]:
    """Pages per sheet of both workbooks, for the code on sys.path."""
    with tempfile.TemporaryDirectory() as folder:
        return {name: pages(book, Path(folder)) for name, book in build().items()}


def measure_at(revision: str) -> dict[str, dict[str, int]]:
    """The same for a git revision, in a subprocess on its tree."""
    with tempfile.TemporaryDirectory() as folder:
        archive = subprocess.run(
            ["git", "archive", revision], cwd=ROOT, capture_output=True, check=True
        ).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(folder, filter="data")
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--json"],
            env={"PYTHONPATH": folder, "PATH": "/usr/bin:/bin", "HOME": folder},
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout)


def section(after: dict[str, dict[str, int]], before: dict[str, dict[str, int]] | None) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    lines = ["| workbook / sheet | pages now |" + (" pages before |" if before else "")]
    lines.append("|---|---|" + ("---|" if before else ""))
    for book, sheets in after.items():
        for sheet, count in sheets.items():
            old = (before or {}).get(book, {}).get(sheet)
            cell = "" if before is None else f" {old if old is not None else '—'} |"
            lines.append(f"| {book} / {sheet} | {count} |{cell}")
    if before:
        for book, sheets in before.items():
            for sheet, count in sheets.items():
                if sheet not in after.get(book, {}):
                    lines.append(f"| {book} / {sheet} | — | {count} |")
    version = subprocess.run(["soffice", "--version"], capture_output=True, text=True).stdout
    return f"""{START}
## Printed pages of the exports (`bench/bench_exports.py`)

{version.strip()}, converting each sheet to PDF with its own print set-up. Data: 20
nominations (achievements of 80–330 words in 1–4 paragraphs, 0–3 supporters with reasons, 0–3
evidence files, a decision with its reason on every third) and one target over 132 units.

{chr(10).join(lines)}

The nominations table prints one page wide (landscape, the header row on every page, rows as tall
as their text) — with its 15 columns that is small print (about 45 % scale), for an overview;
"Phiếu đề cử (để in)" prints each nomination at full size on a page of its own (portrait; a text
longer than 24 lines continues on the next row, so no row is cut by a page).
{END}"""


def main() -> None:
    """Measure (this tree, and a baseline), print, optionally write the section."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", default="")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.json:
        print(json.dumps(measure_here()))
        return
    if shutil.which("soffice") is None:
        raise SystemExit("LibreOffice (soffice) is not installed.")
    sys.path.insert(0, str(ROOT))
    after = measure_here()
    before = measure_at(args.baseline) if args.baseline else None
    text_ = section(after, before)
    print(text_)
    if args.write:
        from bench.benchdoc import replace_section

        replace_section(text_, START, END)


if __name__ == "__main__":
    main()
