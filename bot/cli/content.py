"""`cdsbot content check | train | reload | unanswered | feedback`: editors' tools."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot.cli._common import fail, run, settings
from bot.cli.vietnamese import App
from bot.core.dates import DATE_HELP

if TYPE_CHECKING:
    from bot.app import BotApp

app = App(help="Kho kiến thức: kiểm tra, nạp lại, câu hỏi chưa trả lời được.")


@app.command("check")
def check(
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON.")] = False,
    content_dir: Annotated[
        Path | None, typer.Option("--dir", help="Thư mục nội dung cần kiểm tra.")
    ] = None,
    banks_dir: Annotated[
        Path | None,
        typer.Option("--banks", help="Thư mục bộ câu hỏi kiểm tra (mặc định: bộ đi kèm)."),
    ] = None,
) -> None:
    """Kiểm tra mọi tệp nội dung và bộ câu hỏi; báo lỗi kèm tệp và dòng."""
    from bot.content.crosscheck import bank_issues
    from bot.content.loader import CONTENT_DIR, parse_snapshot, read_snapshot
    from bot.quiz.bank import BANKS_DIR, check_banks
    from bot.quiz.fairness import check_fairness, measure, report

    directory = content_dir or settings().content_dir or CONTENT_DIR
    banks_dir = banks_dir or BANKS_DIR
    files = read_snapshot(directory)
    kb, issues = parse_snapshot(files)
    # Quiz questions cite a topic: check it against the topics, even when some fail to load.
    topics = set(kb.topics) if kb else {Path(name).stem for name in files if "/" in name}
    banks, found = check_banks(banks_dir, topics)
    issues = issues + found + check_fairness(banks, banks_dir)
    if kb is not None:
        issues += bank_issues(files, kb, banks, banks_dir)
    problems = [str(issue) for issue in issues]
    if as_json:
        summary: dict[str, object] = {
            "topics": sorted(kb.topics) if kb else [],
            "quiz_sets": {slug: len(bank.questions) for slug, bank in sorted(banks.items())},
            "quiz_fairness": {slug: report(measure(bank)) for slug, bank in sorted(banks.items())},
            "tips": len(kb.tips) if kb else 0,
            "model_current": _model_current(kb, directory == CONTENT_DIR),
        }
        if problems:
            summary["errors"] = problems
            summary["problems"] = [
                {"file": issue.file, "line": issue.line, "message": issue.message}
                for issue in issues
            ]
        typer.echo(json.dumps(summary, ensure_ascii=False))
        if problems:
            raise typer.Exit(1)
        return
    if problems:
        fail("\n".join([f"Có {len(problems)} lỗi cần sửa:", *problems]))
    assert kb is not None
    questions = sum(len(bank.questions) for bank in banks.values())
    typer.echo(
        f"Nội dung hợp lệ: {len(kb.topics)} chủ đề, {len(kb.themes)} nhóm chủ đề, "
        f"{len(kb.tips)} mẹo, {len(banks)} bộ câu hỏi kiểm tra ({questions} câu)."
    )
    for slug, bank in sorted(banks.items()):
        fairness = measure(bank)
        typer.echo(
            f"  {slug}: {fairness.questions} câu, đáp án đúng dài nhất ở "
            f"{fairness.share(fairness.longest):.0%}, ngắn nhất ở "
            f"{fairness.share(fairness.shortest):.0%} số câu."
        )
    if _model_current(kb, directory == CONTENT_DIR) is False:
        typer.echo(
            "Lưu ý: mô hình tìm chủ đề được huấn luyện trước khi sửa câu hỏi mẫu hoặc từ điển; "
            "chạy `cdsbot content train` để cập nhật (trong lúc chờ, câu hỏi mẫu mới vẫn được "
            "trả lời đúng chủ đề khi hỏi đúng nguyên văn)."
        )


def _model_current(kb: object, shipped_dir: bool) -> bool | None:
    """Whether the shipped topic model was trained on these topics' examples (None: not the
    shipped content, or it did not load)."""
    if kb is None or not shipped_dir:
        return None
    from bot.content.learned import is_current, shipped

    return is_current(kb.topics.values(), shipped())  # type: ignore[attr-defined]


@app.command("train")
def train() -> None:
    """Huấn luyện lại mô hình tìm chủ đề từ các câu hỏi mẫu đi kèm (sau khi sửa chủ đề, câu hỏi
    mẫu hoặc từ điển viết tắt)."""
    from bot.content.analysis import load_lexicon
    from bot.content.learned import MODEL_FILE, train_shipped
    from bot.content.store import load_directory

    kb = load_directory()[1]
    model = train_shipped(kb.topics.values(), load_lexicon())
    typer.echo(f"Đã ghi {MODEL_FILE.name}: {len(model.labels) - 1} chủ đề, bản {model.version}.")


@app.command("reload")
def reload() -> None:
    """Kiểm tra và nạp lại kho kiến thức cho mọi tiến trình đang chạy (không cần khởi động lại)."""

    async def body(bot: BotApp) -> None:
        result = await bot.services.knowledge.reload()
        if result.issues:
            fail(
                "\n".join(
                    [
                        "Không nạp lại: nội dung có lỗi. "
                        "Trợ lý vẫn dùng nội dung cũ cho đến khi sửa xong:",
                        *result.issues,
                    ]
                )
            )
        seconds = int(bot.settings.content_check_seconds)
        if result.changed:
            typer.echo(
                f"Đã nạp phiên bản {result.version} ({result.topics} chủ đề). Các tiến "
                f"trình đang chạy sẽ dùng nội dung mới trong vòng {seconds} giây."
            )
        else:
            typer.echo(f"Nội dung không đổi (phiên bản {result.version}); không cần nạp lại.")

    run(body)


def _parse_day(value: str | None) -> datetime | None:
    """The start of a local day typed by the person (the one date parser)."""
    from bot.core.clock import VN_TZ
    from bot.core.dates import parse_date

    if not value:
        return None
    return datetime.combine(parse_date(value, label="Ngày (--since)"), time(0, 0), tzinfo=VN_TZ)


@app.command("unanswered")
def unanswered(
    as_csv: Annotated[bool, typer.Option("--csv", help="Xuất CSV (UTF-8).")] = False,
    since: Annotated[
        str | None, typer.Option("--since", help=f"Chỉ lấy từ ngày này ({DATE_HELP}).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Ghi CSV vào tệp này.")
    ] = None,
) -> None:
    """Các câu hỏi Trợ lý chưa trả lời được, gộp theo nội dung, hỏi nhiều nhất trước."""
    start = _parse_day(since)

    async def body(bot: BotApp) -> str | None:
        from bot.core.clock import fmt_datetime

        groups = await bot.services.knowledge.unanswered(since=start)
        if not as_csv:
            if not groups:
                typer.echo("Chưa có câu hỏi nào bị bỏ ngỏ.")
            for group in groups:
                typer.echo(
                    f"{group.times:>4} × {group.question}  (gần nhất: "
                    f"{group.closest_topic or '—'}, {fmt_datetime(group.last_at)})"
                )
            return None
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["cau_hoi", "so_lan", "chu_de_gan_nhat", "diem", "lan_dau", "lan_cuoi"])
        for group in groups:
            writer.writerow(
                [
                    group.question,
                    group.times,
                    group.closest_topic or "",
                    f"{group.best_score:.3f}",
                    fmt_datetime(group.first_at),
                    fmt_datetime(group.last_at),
                ]
            )
        return buffer.getvalue()

    exported = run(body)
    if exported is None:
        return
    if output is None:
        typer.echo(exported, nl=False)
    else:
        output.write_text(exported, encoding="utf-8-sig")
        typer.echo(f"Đã ghi CSV các câu hỏi chưa trả lời được vào {output}.")


@app.command("feedback")
def feedback() -> None:
    """Số lượt 👍/👎 theo từng chủ đề, chủ đề bị chê nhiều nhất trước."""

    async def body(bot: BotApp) -> None:
        counts = await bot.services.knowledge.feedback()
        if not counts:
            typer.echo("Chưa có đánh giá nào.")
        for count in counts:
            typer.echo(f"{count.topic:<32} 👍 {count.helpful:>4}   👎 {count.unhelpful:>4}")

    run(body)
