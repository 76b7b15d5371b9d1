"""`Database.turn`: the services' transactions and connections of the turn's task join one
transaction, each in a savepoint; work from other tasks is refused while it is open; callbacks
wait for the commit."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError

from bot.storage.db import ConcurrentTurnUse, Database
from bot.storage.models import ProcessedEvent


def _row(key: str) -> object:
    return insert(ProcessedEvent).values(channel="test", event_key=key)


async def _codes(db: Database) -> list[str]:
    async with db.transaction() as session:
        return sorted((await session.scalars(select(ProcessedEvent.event_key))).all())


async def _add(db: Database, key: str) -> None:
    async with db.transaction() as session:
        await session.execute(_row(key))


@pytest.fixture
async def db(db_url: str):  # type: ignore[no-untyped-def]
    database = Database.from_url(db_url)
    try:
        yield database
    finally:
        await database.close()


async def test_a_turn_commits_all_of_its_work_or_none(db: Database) -> None:
    with pytest.raises(RuntimeError):
        async with db.turn():
            await _add(db, "A")
            async with db.connection() as connection:
                await connection.execute(_row("B"))
            async with db.connection(autocommit=True) as connection:
                await connection.execute(_row("C"))
            assert await _codes(db) == ["A", "B", "C"]  # visible inside the turn …
            raise RuntimeError("the handler failed")
    assert await _codes(db) == []  # … and gone with it
    async with db.turn():
        await _add(db, "A")
        await _add(db, "B")
    assert await _codes(db) == ["A", "B"]


async def test_a_service_that_catches_its_own_error_loses_only_its_part(db: Database) -> None:
    async with db.turn():
        await _add(db, "A")
        with pytest.raises(IntegrityError):
            async with db.transaction() as session:
                await session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_key == "A"))
                await session.execute(_row("B"))
                await session.execute(_row("B"))
        with pytest.raises(IntegrityError):
            async with db.connection() as connection:
                await connection.execute(_row("A"))
        await _add(db, "C")  # the turn goes on (PostgreSQL has not aborted it)
    assert await _codes(db) == ["A", "C"]


async def test_callbacks_run_after_the_commit_and_never_after_a_rollback(db: Database) -> None:
    seen: list[list[str]] = []

    def wake() -> None:
        seen.append(["woken"])

    async with db.turn():
        await _add(db, "A")
        db.after_commit(wake)
        assert seen == []
    assert seen == [["woken"]]
    with pytest.raises(RuntimeError):
        async with db.turn():
            db.after_commit(wake)
            raise RuntimeError("rolled back")
    assert len(seen) == 1
    db.after_commit(wake)  # outside a turn: at once
    assert len(seen) == 2


async def test_work_of_another_task_is_refused_while_the_turn_is_open(db: Database) -> None:
    """One connection cannot run two statements at once, and work of another task would not
    belong to the turn: `asyncio.gather` inside a turn is a bug, reported as such."""
    later: list[asyncio.Task[None]] = []
    with pytest.raises(ConcurrentTurnUse):
        async with db.turn():
            await asyncio.gather(_add(db, "A"), _add(db, "B"))
    async with db.turn():
        later.append(asyncio.create_task(_add(db, "L")))  # starts after the turn has ended
    await later[0]
    assert await _codes(db) == ["L"]


async def test_turns_do_not_nest(db: Database) -> None:
    with pytest.raises(RuntimeError, match="already open"):
        async with db.turn(), db.turn():
            pass
