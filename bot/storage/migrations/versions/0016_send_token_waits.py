"""send tokens unlogged (PostgreSQL), as the send pace already is; a reservation refused because
every token is in flight says so

Revision ID: 0016_send_token_waits
Revises: 0015_send_tokens
Create Date: 2026-12-02
"""

import importlib.util
from pathlib import Path

from alembic import op


revision = "0016_send_token_waits"
down_revision = "0015_send_tokens"
branch_labels = None
depends_on = None

# Every platform message writes `send_token` twice (its reservation, its release), each in a
# transaction of its own. 0015 created the table logged, so each of those commits waited for a
# WAL flush — the very wait 0014 had taken away from `send_pace` — and the time it costs is the
# broadcast's rate: a token is held from its message's slot until one second after the answer,
# and the reservation's flush comes between the slot (computed before the commit) and the moment
# the sender learns it and sends. The reservation also holds the channel's row until it commits,
# so every sender's reservations queued behind one another's flushes. Unlogged, these commits
# write no WAL to wait for.
# What a crash of PostgreSQL loses is the tokens' holds (the table comes back empty and the next
# reservation creates a free set): a restart of the database takes longer than the one second a
# hold protects, and the senders' connections break with it, so no platform second sees both the
# messages of before and a fresh set of tokens' worth after.


# send_pace_take as in 0015, except that a reservation refused because every token is held by a
# message in flight returns token -1 (a busy chat still returns NULL): a process then lets one
# of its tasks at a time ask again (bot/scheduler/shared_pace.py) instead of every task waiting
# for a token polling the channel's row twenty times a second. Processes of the previous release
# ignore `token` when nothing was reserved, so both can run side by side during an upgrade.
TAKE = """
CREATE OR REPLACE FUNCTION send_pace_take(
    p_overall_key bigint, p_overall double precision, p_tokens integer,
    p_chat_key bigint, p_chat double precision, p_hold double precision,
    p_window double precision,
    OUT wait double precision, OUT reserved boolean, OUT token integer, OUT held timestamptz
) LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := clock_timestamp();
    slot timestamptz := t;
    chat_free timestamptz;
    free_at timestamptz;
BEGIN
    IF p_chat > 0 THEN
        INSERT INTO send_pace AS p (key, next_at) VALUES (p_chat_key, t)
        ON CONFLICT (key) DO UPDATE SET next_at = p.next_at
        RETURNING p.next_at INTO chat_free;
        IF chat_free > t THEN
            wait := extract(epoch FROM chat_free - t);
            reserved := false;
            RETURN;
        END IF;
    END IF;
    IF p_overall > 0 THEN
        INSERT INTO send_pace AS p (key, next_at) VALUES (p_overall_key, t)
        ON CONFLICT (key) DO UPDATE SET next_at = p.next_at
        RETURNING greatest(p.next_at, t) INTO slot;
        IF p_tokens > 0 THEN
            PERFORM 1 FROM send_token s WHERE s.key = p_overall_key AND s.n = p_tokens - 1;
            IF NOT FOUND THEN
                INSERT INTO send_token (key, n, free_at)
                SELECT p_overall_key, g, t FROM generate_series(0, p_tokens - 1) AS g
                ON CONFLICT DO NOTHING;
            END IF;
            SELECT s.n, s.free_at INTO token, free_at FROM send_token s
            WHERE s.key = p_overall_key AND s.n < p_tokens
            ORDER BY s.free_at, s.n LIMIT 1;
            IF free_at > t + make_interval(secs => p_window) THEN
                -- every token is held by a message in flight: when one comes back is unknown
                wait := p_window / 20;
                reserved := false;
                token := -1;
                RETURN;
            END IF;
            slot := greatest(slot, free_at);
            held := slot + make_interval(secs => p_hold);
            UPDATE send_token s SET free_at = held WHERE s.key = p_overall_key AND s.n = token;
        END IF;
        UPDATE send_pace SET next_at = slot + make_interval(secs => p_overall)
        WHERE key = p_overall_key;
    END IF;
    IF p_chat > 0 THEN
        UPDATE send_pace SET next_at = slot + make_interval(secs => p_chat + p_hold)
        WHERE key = p_chat_key;
    END IF;
    wait := extract(epoch FROM slot - clock_timestamp());
    reserved := true;
END
$$;
"""


def _previous_take() -> str:
    """0015's function, restored by the downgrade."""
    path = Path(__file__).with_name("0015_send_tokens.py")
    spec = importlib.util.spec_from_file_location("send_tokens_0015", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.TAKE)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE send_token SET UNLOGGED")
        op.execute(TAKE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_previous_take())
        op.execute("ALTER TABLE send_token SET LOGGED")
