"""send pace shared by every process: the table and (PostgreSQL) the function that reserves a
sending slot for one message in one round trip

Revision ID: 0013_send_pace
Revises: 0012_console_stats
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0013_send_pace'
down_revision = '0012_console_stats'
branch_labels = None
depends_on = None

# Reserve a slot for one message: when the chat (interval p_chat seconds; not paced when 0) is
# free, the channel's next overall slot (interval p_overall; not paced when 0), and the chat is
# then held until one interval plus p_hold after that slot (while the message is in flight
# another process must not count from its start; `ended` releases the hold once the platform
# answered). When the chat is not free yet nothing is reserved (`reserved` false): the caller
# waits `wait` seconds and asks again, so a busy chat never pushes the overall schedule back.
# Rows are locked chat first, then channel (no deadlock between callers); `wait` is measured on
# the database's clock so that the callers' clocks do not matter.
RESERVE = """
CREATE OR REPLACE FUNCTION send_pace_reserve(
    p_overall_key bigint, p_overall double precision,
    p_chat_key bigint, p_chat double precision, p_hold double precision,
    OUT wait double precision, OUT reserved boolean
) LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := clock_timestamp();
    slot timestamptz := t;
    chat_free timestamptz;
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
        INSERT INTO send_pace AS p (key, next_at)
        VALUES (p_overall_key, t + make_interval(secs => p_overall))
        ON CONFLICT (key) DO UPDATE
            SET next_at = greatest(p.next_at, t) + make_interval(secs => p_overall)
        RETURNING p.next_at - make_interval(secs => p_overall) INTO slot;
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
    op.create_table('send_pace',
    sa.Column('key', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('next_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_send_pace'))
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(RESERVE)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP FUNCTION IF EXISTS send_pace_reserve(bigint, double precision, bigint, double precision, double precision)')
    op.drop_table('send_pace')
