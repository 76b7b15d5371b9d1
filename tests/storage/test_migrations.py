"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory

from bot.storage.migrate import alembic_config


def test_one_head() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite+aiosqlite:///:memory:"))
    assert len(script.get_heads()) == 1, script.get_heads()


def test_models_match_the_migrated_schema(db_url: str) -> None:
    command.check(alembic_config(db_url))  # raises when autogenerate would emit anything
