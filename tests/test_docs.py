"""The README stays true to the code: every setting is documented, the two commands are shown."""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings

README = Path("README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    missing = [name.upper() for name in Settings.model_fields if f"`{name.upper()}`" not in README]
    assert not missing, f"settings missing from README: {missing}"


def test_readme_shows_the_two_commands() -> None:
    assert "make run" in README and "make test" in README
