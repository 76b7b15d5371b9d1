"""Checks that need both the knowledge base and the quiz banks, for `cdsbot content check`.

Quiz banks are validated on their own in bot/quiz/bank.py; here they are held to the knowledge
base: no correct answer that a curated claim contradicts, no placeholder and no address or number
from the deny list of unconfirmed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.content.claims import quiz_contradictions
from bot.content.loader import Snapshot, load_claims, load_deny_list
from bot.content.model import KnowledgeBase
from bot.content.proofing import text_problems
from bot.content.yaml_lines import ContentIssue, display_path
from bot.quiz.bank import Bank


def bank_issues(
    files: Snapshot, kb: KnowledgeBase, banks: Mapping[str, Bank], banks_dir: Path
) -> list[ContentIssue]:
    """Problems of the banks against the knowledge base of snapshot `files`."""
    scratch: list[ContentIssue] = []
    claims = load_claims(files, kb.topics, scratch)
    deny = load_deny_list(files, scratch)
    paths = {slug: banks_dir / f"{slug}.yaml" for slug in banks}
    texts = {slug: path.read_text(encoding="utf-8") for slug, path in paths.items()}
    names = {slug: display_path(path) for slug, path in paths.items()}
    issues = quiz_contradictions(claims, banks, texts, names)
    for slug, bank in banks.items():
        lines = texts[slug].split("\n")
        for question in bank.questions:
            line = next((n for n, t in enumerate(lines, 1) if question.id in t), 1)
            values = [question.text, *question.options, question.explanation]
            values += [question.source.title, question.source.url]
            for value in values:
                for problem in text_problems(value, deny, prose=False):
                    issues.append(ContentIssue(names[slug], line, f"câu {question.id}: {problem}"))
    return sorted(set(issues))
