"""Every message key the code uses exists, with the placeholders it is given."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.messages import load_catalog
from bot.messages.catalog import read_catalog


def _literal_calls(root: Path) -> list[tuple[Path, int, str, set[str] | None]]:
    """(file, line, key, keyword names) for every t("key", ...) / ctx.t("key", ...) call."""
    found = []
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if (
                name in ("t", "tc")
                and isinstance(first, ast.Constant)
                and isinstance(first.value, str)
            ):
                if any(kw.arg is None for kw in node.keywords):
                    keywords = None  # **values: placeholders cannot be checked statically
                else:
                    keywords = {kw.arg for kw in node.keywords if kw.arg}
                found.append((path, node.lineno, first.value, keywords))
    return found


def test_every_used_key_exists_with_matching_placeholders() -> None:
    catalog = load_catalog()
    calls = _literal_calls(Path("bot"))
    assert calls, "the scan found no catalog lookups"
    problems = []
    for path, line, key, keywords in calls:
        if not catalog.has(key):
            problems.append(f"{path}:{line}: missing key {key}")
        elif keywords is not None:
            for variant in (key, f"{key}_typed"):  # ctx.tc may pick the typed-channel wording
                if catalog.has(variant) and catalog.placeholders(variant) - keywords:
                    missing = catalog.placeholders(variant) - keywords
                    problems.append(f"{path}:{line}: {variant} needs {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_catalog_files_parse_and_hold_only_text() -> None:
    catalog = read_catalog()
    assert catalog.has("common.error")
    for key in catalog.keys():
        assert catalog(key) if not catalog.placeholders(key) else True


# Issue 13 item 6: wording rules that can be checked mechanically.

_WORD_MINH = re.compile(r"(?<!\w)mình(?!\w)", re.IGNORECASE)


def test_press_is_said_only_where_there_are_buttons() -> None:
    """ "bấm" (press) is wrong on Zalo Bot and in the terminal, which have no buttons: a message
    that says it has a `_typed` variant for those channels, and no `_typed` variant says it."""
    catalog = read_catalog()
    problems = []
    for key in catalog.keys():
        said = "bấm" in catalog._messages[key].lower()  # noqa: SLF001 (the raw template)
        if not said or key.startswith("web."):
            continue
        if key.endswith("_typed"):
            problems.append(f"{key}: says 'bấm' where choices are typed")
        elif not catalog.has(f"{key}_typed"):
            problems.append(f"{key}: says 'bấm' but has no {key}_typed wording for Zalo Bot")
    assert not problems, "\n".join(problems)


def test_the_bot_never_speaks_of_itself_or_the_reader_as_minh() -> None:
    """The bot is "Trợ lý" and the person "anh/chị" — in every message, answer and tip (the
    example questions people type are theirs and may say "mình")."""
    from bot.content.store import load_directory

    catalog = read_catalog()
    texts = {f"catalog {key}": catalog._messages[key] for key in catalog.keys()}  # noqa: SLF001
    _, kb = load_directory()
    for topic in kb.topics.values():
        texts.update(
            {f"{topic.slug} {f}": getattr(topic, f) for f in ("title", "answer", "detail")}
        )
    texts.update({f"tip {tip.id}": tip.text for tip in kb.tips})
    found = [where for where, text in texts.items() if _WORD_MINH.search(text)]
    assert not found, found


def test_a_person_is_never_thanked_by_bare_name() -> None:
    """ "Cảm ơn Trần Văn Bình" reads curt: a name placeholder comes with "anh/chị"."""
    catalog = read_catalog()
    curt = [key for key in catalog.keys() if re.search(r"(?i)cảm ơn \{", catalog._messages[key])]  # noqa: SLF001
    assert not curt, curt


def test_no_message_formats_a_number_itself() -> None:
    """One Vietnamese number format (bot/messages/numbers.py): no catalog message puts a unit
    right after a placeholder ("{rate}%", "{size} MB"), and no code builds a percentage or a
    size with an f-string. Exempt: configured limits in whole megabytes ("{mb} MB"), and the
    chart and spreadsheet modules of the command line (owned by the CLI work)."""
    catalog = read_catalog()
    units = re.compile(r"\{(?!mb\})\w+\}\s?(%|MB|KB)")
    in_catalog = [key for key in catalog.keys() if units.search(catalog._messages[key])]  # noqa: SLF001
    assert not in_catalog, in_catalog
    exempt = {
        Path("bot/messages/numbers.py"),
        Path("bot/quiz/chart.py"),
        Path("bot/quiz/report.py"),
    }
    formatting = re.compile(r"""f["'][^"'\n]*\}\s?(%|MB|KB)""")
    in_code = [
        f"{path}:{number}"
        for path in Path("bot").rglob("*.py")
        if path not in exempt and Path("bot/cli") not in path.parents
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if formatting.search(line)
    ]
    assert not in_code, in_code
