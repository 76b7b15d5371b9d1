"""Every message key the code uses exists, with the placeholders it is given."""

from __future__ import annotations

import ast
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
            if name == "t" and isinstance(first, ast.Constant) and isinstance(first.value, str):
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
        elif keywords is not None and catalog.placeholders(key) - keywords:
            missing = catalog.placeholders(key) - keywords
            problems.append(f"{path}:{line}: {key} needs {sorted(missing)}")
    assert not problems, "\n".join(problems)


def test_catalog_files_parse_and_hold_only_text() -> None:
    catalog = read_catalog()
    assert catalog.has("common.error")
    for key in catalog.keys():
        assert catalog(key) if not catalog.placeholders(key) else True
