"""send pace shared by every process: the table and (PostgreSQL) the function that reserves a
sending slot for one message in one round trip

Revision ID: 0012_send_pace
Revises: 0011_admin_console
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0012_send_pace'
down_revision = '0011_admin_console'
branch_labels = None
depends_on = None

# Reserve the next slot of a chat (interval p_chat seconds, skipped when 0) and of the channel
# overall (interval p_overall, skipped when 0), the chat first and always in that order (no
# deadlock between callers); the overall slot is not earlier than the chat's, and the chat's
# next slot counts from the overall one. Returns the seconds to wait before sending (≤ 0: now),
# measured on the database's clock so that the callers' clocks do not matter.
RESERVE = """
CREATE OR REPLACE FUNCTION send_pace_reserve(
    p_overall_key bigint, p_overall double precision, p_chat_key bigint, p_chat double precision
) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz := clock_timestamp();
    slot timestamptz := t;
BEGIN
    IF p_chat > 0 THEN
        INSERT INTO send_pace AS p (key, next_at) VALUES (p_chat_key, t)
        ON CONFLICT (key) DO UPDATE SET next_at = p.next_at
        RETURNING greatest(p.next_at, t) INTO slot;
    END IF;
    IF p_overall > 0 THEN
        INSERT INTO send_pace AS p (key, next_at)
        VALUES (p_overall_key, slot + make_interval(secs => p_overall))
        ON CONFLICT (key) DO UPDATE
            SET next_at = greatest(p.next_at, slot) + make_interval(secs => p_overall)
        RETURNING p.next_at - make_interval(secs => p_overall) INTO slot;
    END IF;
    IF p_chat > 0 THEN
        UPDATE send_pace SET next_at = slot + make_interval(secs => p_chat)
        WHERE key = p_chat_key;
    END IF;
    RETURN extract(epoch FROM slot - clock_timestamp());
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
        op.execute('DROP FUNCTION IF EXISTS send_pace_reserve(bigint, double precision, bigint, double precision)')
    op.drop_table('send_pace')
