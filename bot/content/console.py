"""`cdsbot ask "câu hỏi"` and `cdsbot ask --jsonl`: ask the knowledge base from the command line.

It reads the content files directly (no database, nothing logged) and imports nothing of the
server stack, so it answers within about a second of starting and can be used to measure the
ranking: one JSON object per question on stdin. `bot.entry` runs it without loading `bot.cli`.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:  # the content stack is imported when a question is asked, not for --help
    from bot.content.answers import Answer
    from bot.content.index import TopicIndex


def fail(message: str) -> None:
    """Print an error to stderr and exit non-zero."""
    typer.echo(message, err=True)
    raise typer.Exit(1)


def _index() -> TopicIndex:
    from bot.config import get_settings
    from bot.content.store import ContentInvalid, index_for, load_directory

    try:
        return index_for(load_directory(get_settings().content_dir)[1])
    except ContentInvalid as exc:
        fail("\n".join(["Nội dung có lỗi, hãy chạy 'cdsbot content check':", str(exc)]))
        raise


def _record(answer: Answer) -> dict[str, object]:
    from bot.content.answers import AnswerKind
    from bot.content.markdown import to_plain

    topic = answer.topic if answer.kind is AnswerKind.TOPIC else None
    return {
        "q": answer.question,
        "topic": topic.slug if topic else None,
        "score": round(float(answer.score), 4),
        "answer": to_plain(topic.answer) if topic else None,
    }


def _for_person(answer: Answer) -> str:
    """What the person would read (in the configured address form)."""
    from bot.config import get_settings
    from bot.content.answers import AnswerKind
    from bot.content.markdown import to_plain
    from bot.messages import load_catalog

    t = load_catalog(get_settings().address_form)
    if answer.kind is AnswerKind.SMALLTALK:
        return t(f"faq.smalltalk.{answer.smalltalk or 'ack'}")
    if answer.topic is not None:
        return f"{answer.topic.title}\n\n{t.addressed(to_plain(answer.topic.answer))}"
    if not answer.suggestions:
        return t("faq.not_found")
    lines = [t("faq.not_sure"), ""]
    lines += [f"• {topic.title}" for topic in answer.suggestions]
    return "\n".join(lines)


def ask(
    question: Annotated[
        str | None, typer.Argument(help="Câu hỏi (bỏ trống khi dùng --jsonl).")
    ] = None,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="Đọc mỗi dòng stdin một câu, in JSON.")
    ] = False,
) -> None:
    """Hỏi Trợ lý một câu (hoặc nhiều câu qua stdin với --jsonl)."""
    from bot.content.answers import respond

    if jsonl:
        index = _index()
        for line in sys.stdin:
            if line.strip():
                record = _record(respond(line.strip(), index))
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
                sys.stdout.flush()
        return
    if not question or not question.strip():
        fail('Hãy gõ câu hỏi, ví dụ: cdsbot ask "đăng ký VNeID mức 2 ở đâu?"')
        return
    typer.echo(_for_person(respond(question, _index())))
