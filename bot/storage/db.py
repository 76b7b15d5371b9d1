"""The database handle: one async engine and a session factory, built from a URL; and the turn,
the unit of work every incoming event is handled in.

A turn (`Database.turn`) is one connection in one transaction. While it is open, every
`transaction()` and `connection()` of the task that opened it joins it (each in a savepoint, so a
service that catches its own error rolls back only its part): the claim of the update, every
write of the handler's services, the conversation state, the notices queued in the outbox and the
turn's stored replies commit together, or not at all. Handlers and services do not know whether
they run in a turn.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.core.errors import StorageUnavailable
from bot.storage.faults import CANDIDATES, OutageLog, describe, is_outage
from bot.storage.timeouts import Timeouts

PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection unused for longer than this is pinged before it is handed out."""


POOL_SIZE = 20
"""PostgreSQL connections per process, all kept open. A turn holds one from its claim to its
commit, so the pool is sized for the turns in flight (webhooks deliver several at once); more
turns than that wait a few milliseconds for a connection. No overflow connections: one opened
beyond the pool is closed again when returned, and opening one costs more than a whole turn."""


POSTGRES_SESSION_SETTINGS = {"plan_cache_mode": "force_custom_plan"}
"""asyncpg prepares every statement; after five runs PostgreSQL may switch a prepared statement to
a generic plan that ignores the parameters' values. For the bot's aggregates that plan misjudges
the filters (a unit path prefix, a person's attempts within a period) and scans far too much: a
leaderboard 4x slower, a person's standing refresh 2 ms instead of 0.5. The bot's statements are
short to plan, so every run is planned with its real values."""


class ConcurrentTurnUse(RuntimeError):
    """Another task used the database while a turn it inherited was open: one connection cannot
    run two statements at once, and work outside the turn would not commit with it."""


@dataclass(eq=False)
class _Turn:
    """The connection of an open turn, the task it belongs to, and what runs after its commit."""

    db: Database
    connection: AsyncConnection
    task: asyncio.Task[object] | None
    open: bool = True
    after_commit: list[Callable[[], None]] = field(default_factory=list)


_TURN: ContextVar[_Turn | None] = ContextVar("cdsbot_turn", default=None)


class Database:
    """Owns the engine; hands out sessions that commit on success and roll back on error. A
    failure that means the database is down or too slow comes out as `StorageUnavailable`."""

    def __init__(self, engine: AsyncEngine, *, writer_wait_s: float = 3600.0) -> None:
        self.engine = engine
        self._sessions = async_sessionmaker(engine, expire_on_commit=False)
        self.outage = OutageLog()
        self._writer_wait_s = writer_wait_s
        self._writer: tuple[asyncio.AbstractEventLoop, asyncio.Lock] | None = None

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        echo: bool = False,
        pool_size: int = POOL_SIZE,
        ping_after_idle_s: float = PING_AFTER_IDLE_S,
        timeouts: Timeouts | None = None,
    ) -> Database:
        """Create the engine; for SQLite, make sure the folder exists and enable WAL; for
        PostgreSQL, check a pooled connection before use when it has been idle a while."""
        limits = timeouts or Timeouts()
        parsed = make_url(url)
        if parsed.get_backend_name() == "sqlite":
            if parsed.database and parsed.database != ":memory:":
                Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
            busy = limits.busy or 3600.0
            engine = create_async_engine(url, echo=echo, connect_args={"timeout": busy})
            event.listen(engine.sync_engine, "connect", _sqlite_pragmas(int(busy * 1000)))
            return cls(engine, writer_wait_s=busy)
        else:
            engine = create_async_engine(
                url,
                echo=echo,
                pool_size=pool_size,
                max_overflow=0,
                pool_timeout=limits.pool or 3600.0,
                connect_args=_postgres_connect_args(limits),
            )
            _ping_when_idle(engine, ping_after_idle_s)
        return cls(engine)

    @property
    def dialect(self) -> str:
        """'sqlite' or 'postgresql'."""
        return self.engine.dialect.name

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Open the unit of work of one incoming event: committed when the block ends, rolled
        back when it raises. SQLite takes the write lock at once (BEGIN IMMEDIATE): a deferred
        transaction that reads and then writes would fail with SQLITE_BUSY_SNAPSHOT instead of
        waiting for the other writer. Callbacks registered with `after_commit` run after the
        commit (e.g. waking the outbox sender, which must see the committed rows)."""
        outer = _TURN.get()
        if outer is not None and outer.open and outer.task is asyncio.current_task():
            raise RuntimeError("a turn is already open in this task")
        async with self._sqlite_writer():
            async with self._turn() as turn:
                yield
        for callback in turn.after_commit:
            callback()

    @asynccontextmanager
    async def _sqlite_writer(self) -> AsyncIterator[None]:
        """SQLite: one turn of this process at a time, in arrival order. SQLite has one writer;
        turns that all ask for its lock at once wait in its busy handler, which sleeps and polls
        (up to 100 ms a try), so that with tens of webhooks in flight some wait out the whole
        busy time-out and fail. An asyncio lock hands the writer over as soon as it is free.
        Other processes (the CLI) still meet the busy time-out. PostgreSQL: nothing."""
        if self.dialect != "sqlite":
            yield
            return
        loop = asyncio.get_running_loop()
        if self._writer is None or self._writer[0] is not loop:
            self._writer = (loop, asyncio.Lock())
        lock = self._writer[1]
        try:
            async with asyncio.timeout(self._writer_wait_s):
                await lock.acquire()
        except TimeoutError as error:
            self.outage.failed(error)
            raise StorageUnavailable("SQLite writer busy") from error
        try:
            yield
        finally:
            lock.release()

    @asynccontextmanager
    async def _turn(self) -> AsyncIterator[_Turn]:
        try:
            async with self.engine.connect() as connection:
                await connection.begin()
                if self.dialect == "sqlite":
                    await connection.exec_driver_sql("BEGIN IMMEDIATE")
                turn = _Turn(self, connection, asyncio.current_task())
                token = _TURN.set(turn)
                try:
                    yield turn
                finally:
                    turn.open = False  # tasks started in the turn now use their own transactions
                    _TURN.reset(token)
                await connection.commit()
        except CANDIDATES as error:
            self._raise_if_outage(error)
            raise
        self.outage.succeeded()

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run `callback` once the open turn has committed (at once when there is none; never
        when the turn rolls back)."""
        turn = self._joined()
        if turn is None:
            callback()
        else:
            turn.after_commit.append(callback)

    def _joined(self) -> _Turn | None:
        """The open turn of this database that the current task's work joins, if any."""
        turn = _TURN.get()
        if turn is None or not turn.open or turn.db is not self:
            return None
        if asyncio.current_task() is not turn.task:
            raise ConcurrentTurnUse(
                "database used from another task while a turn is open (asyncio.gather or a "
                "background task started inside a turn): await the work in the turn's task"
            )
        return turn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one transaction: committed when the block ends, rolled back on error.
        Inside a turn: a savepoint of the turn's transaction (released at the end of the block,
        rolled back on error; it commits with the turn)."""
        try:
            turn = self._joined()
            if turn is not None:
                async with (
                    AsyncSession(
                        bind=turn.connection,
                        join_transaction_mode="create_savepoint",
                        expire_on_commit=False,
                    ) as session,
                    session.begin(),
                ):
                    yield session
            else:
                async with self._sessions() as session, session.begin():
                    yield session
        except CANDIDATES as error:
            self._raise_if_outage(error)
            raise
        self.outage.succeeded()

    @asynccontextmanager
    async def connection(
        self, *, autocommit: bool = False, savepoint: bool = True
    ) -> AsyncIterator[AsyncConnection]:
        """A Core connection for hot paths that need no ORM objects (answering a quiz question,
        starting a turn): no identity map, no unit of work, a third less CPU. Inside one
        transaction, or with `autocommit` for work that is a single atomic statement (no BEGIN
        and COMMIT round trips). Inside a turn: the turn's connection, in a savepoint unless
        `autocommit` (a single statement whose error the caller lets end the turn) or not
        `savepoint` (work whose every error the caller lets end the turn: the savepoint would
        only cost its SAVEPOINT and RELEASE round trips, as the whole turn is rolled back)."""
        try:
            turn = self._joined()
            if turn is not None:
                if autocommit or not savepoint:
                    yield turn.connection
                else:
                    async with turn.connection.begin_nested():
                        yield turn.connection
            elif not autocommit:
                async with self.engine.begin() as connection:
                    yield connection
            else:
                async with self.engine.connect() as connection:
                    yield await connection.execution_options(isolation_level="AUTOCOMMIT")
        except CANDIDATES as error:
            self._raise_if_outage(error)
            raise
        self.outage.succeeded()

    def _raise_if_outage(self, error: BaseException) -> None:
        if is_outage(error):
            self.outage.failed(error)
            raise StorageUnavailable(describe(error)) from error

    async def reachable(self, *, within_s: float) -> bool:
        """Whether the database answers a trivial query within `within_s` seconds."""
        try:
            async with asyncio.timeout(within_s):
                async with self.connection(autocommit=True) as connection:
                    await connection.execute(text("SELECT 1"))
        except (StorageUnavailable, TimeoutError):
            return False
        return True

    async def close(self) -> None:
        """Release every pooled connection."""
        await self.engine.dispose()


def _postgres_connect_args(limits: Timeouts) -> dict[str, Any]:
    """asyncpg's connect time-out, its client-side command time-out (for a server that does not
    answer at all) and the server's own statement_timeout (which also ends a wait on a lock)."""
    settings = dict(POSTGRES_SESSION_SETTINGS)
    args: dict[str, Any] = {"server_settings": settings}
    if limits.connect:
        args["timeout"] = limits.connect
    if limits.statement:
        settings["statement_timeout"] = str(int(limits.statement * 1000))
        args["command_timeout"] = limits.statement + 1.0
    return args


def _sqlite_pragmas(busy_ms: int) -> Any:
    """The per-connection set-up of SQLite: how long to wait for a writer, WAL, foreign keys.
    Migrated databases are already in WAL (bot/storage/migrations/env.py); a database that is
    not is switched by its first connection (`_switch_to_wal`)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        _switch_to_wal(cursor, within_s=busy_ms / 1000)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return on_connect


def _switch_to_wal(cursor: Any, *, within_s: float) -> None:
    """Put the database file in WAL mode (a property of the file, kept once set). The switch
    needs the file to itself, and SQLite refuses it at once, without its busy handler, while
    another connection holds a write transaction in the old journal mode: so it is tried
    again until that transaction ends (or `within_s` passes), instead of failing the
    connection with "database is locked". A connection opened while another switches finds
    WAL already on."""
    deadline = time.monotonic() + within_s
    pause = 0.005
    while True:
        cursor.execute("PRAGMA journal_mode")
        if str(cursor.fetchone()[0]).lower() == "wal":
            return
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            if str(cursor.fetchone()[0]).lower() == "wal":
                return
        except Exception:  # locked by another connection's transaction: try again
            if time.monotonic() >= deadline:
                raise
        if time.monotonic() >= deadline:
            raise RuntimeError("SQLite could not switch to WAL mode")
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Pessimistic disconnect handling without a round trip on every checkout.

    `pool_pre_ping` pings before every transaction: a quarter of a millisecond each, on every
    update and every recorded answer. A connection in steady use is known to be alive, so only
    one that sat idle (where a database restart or a firewall may have cut it) is pinged; a dead
    one is replaced before anyone uses it. A restart during steady traffic still fails the
    transactions already holding a connection; SQLAlchemy then discards the whole pool.
    """
    dialect = engine.sync_engine.dialect

    def checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        driver = record.driver_connection
        if driver is not None and driver.is_closed():  # the server ended it: no round trip
            raise DisconnectionError("connection closed by the server")
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < idle_s:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as exc:  # any failure means the connection is unusable
            raise DisconnectionError("connection closed while idle") from exc

    event.listen(engine.sync_engine, "checkin", checkin)
    event.listen(engine.sync_engine, "checkout", checkout)
