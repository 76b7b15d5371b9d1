"""statistics for the confirmed-staff rule (PostgreSQL) and an index for the conversation retention

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


def upgrade() -> None:
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversations_updated_at'), ['updated_at'], unique=False)
    bind = op.get_bind()
    # Statistics on expressions came with PostgreSQL 14; older servers keep the old estimate.
    if bind.dialect.name == 'postgresql' and bind.dialect.server_version_info >= (14,):
        op.execute(STATISTICS)
        op.execute('ANALYZE users')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS IF EXISTS users_confirmed_unit')
    with op.batch_alter_table('conversations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversations_updated_at'))
