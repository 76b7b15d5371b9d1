"""statistics for the confirmed-staff rule and an unlogged send pace (PostgreSQL), and an index for
the conversation retention

Revision ID: 0014_perf_indexes
Revises: 0013_send_pace
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_perf_indexes'
down_revision = '0013_send_pace'
branch_labels = None
depends_on = None

# The queries that count a unit's staff keep those confirmed for their unit with
# `CASE WHEN verified_unit_id = unit_id THEN unit_id END IS NOT NULL` (bot.storage.models.users,
# CONFIRMED_UNIT). PostgreSQL estimates an equality of two columns at 0.5 % of the rows and then
# picks nested loops over tens of thousands of people; with statistics on this expression it
# knows the real share. Extended statistics cost nothing on writes (an index on the expression
# would hold a row for every citizen too); ANALYZE builds them now, autovacuum keeps them.
STATISTICS = (
    "CREATE STATISTICS IF NOT EXISTS users_confirmed_unit "
    "ON ((CASE WHEN verified_unit_id = unit_id THEN unit_id END)) FROM users"
)

# The send pace (0013_send_pace) is written twice for every message a process sends (reserve a
# slot, release the chat), each in its own transaction, the first holding the channel's row lock
# until it commits. Logged, each commit waited for its WAL flush (3-4 ms on this shared machine,
# 12-15 ms at the 99th percentile) with the channel's lock held, so replies queued behind one
# another's fsyncs. Unlogged, a commit of pace rows writes no WAL to wait for. What is lost on a
# crash of PostgreSQL (the table comes back empty) is a few seconds of pacing state: the next
# messages simply take fresh slots, as at a first start.


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_updated_at'), ['updated_at'], unique=False)
    bind = op.get_bind()
    # Statistics on expressions came with PostgreSQL 14; older servers keep the old estimate.
    if bind.dialect.name == 'postgresql' and bind.dialect.server_version_info >= (14,):
        op.execute(STATISTICS)
        op.execute('ANALYZE users')
    if bind.dialect.name == 'postgresql':
        op.execute('ALTER TABLE send_pace SET UNLOGGED')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE send_pace SET LOGGED')
        op.execute('DROP STATISTICS IF EXISTS users_confirmed_unit')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_updated_at'))
