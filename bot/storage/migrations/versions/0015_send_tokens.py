"""send tokens: a channel's overall limit as that many tokens, each held by one message from its
slot until one second after the platform answered it

Revision ID: 0015_send_tokens
Revises: 0013_send_pace
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0015_send_tokens'
down_revision = '0014_perf_indexes'
branch_labels = None
depends_on = None

# Reserve a slot for one message (replaces send_pace_reserve of 0013, which stays for processes
# of the previous release during a rolling upgrade). As before: when the chat (interval p_chat;
# not paced when 0) is not free yet nothing is reserved and `wait` says when to ask again; else
# the channel's next overall slot, one interval p_overall after the previous one (smoothing, not
# the guarantee), and the chat is held while the message is in flight.
# New: the guarantee. The channel has p_tokens tokens (its limit per second); a message takes
# the token that is free first, at its slot at the earliest, and holds it until one second after
# its answer came back (p_window; until p_hold after the slot if its process died). When every
# token is held by a message in flight nothing is reserved (ask again shortly).
# A platform counting any one-second window then sees at most p_tokens messages whatever the
# delays between our slot and its clock: every message in a window still held its token at the
# slot of the last of them (its answer, after its arrival, came less than a second before).
# Locks: chat row, then channel row (which serializes the channel's tokens), as in 0013.
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
                token := NULL;
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


def upgrade() -> None:
    op.create_table('send_token',
    sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('free_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', 'n', name=op.f('pk_send_token'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(TAKE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS send_pace_take(bigint, double precision, integer, bigint, double precision, double precision, double precision)')
    op.drop_table('send_token')
