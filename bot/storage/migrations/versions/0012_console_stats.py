"""console statistics: answers and wrong answers per question and local day (the dashboard's
hardest questions), filled from the answers already stored; the outbox's deadline index also
covers what delivery reports read

Revision ID: 0012_console_stats
Revises: 0011_admin_console
Create Date: 2026-12-02
"""
from alembic import op
import sqlalchemy as sa


revision = '0012_console_stats'
down_revision = '0011_admin_console'
branch_labels = None
depends_on = None

# The bot writes the local day (TIMEZONE) of each finished attempt. Rows written before this
# migration are counted on the day in UTC+7, the default TIMEZONE (Asia/Ho_Chi_Minh has no DST).
_LOCAL_DAY = {
    "postgresql": "CAST(a.finished_at + INTERVAL '7 hours' AS DATE)",
    "sqlite": "DATE(a.finished_at, '+7 hours')",
}


def upgrade() -> None:
    op.create_table('quiz_question_tallies',
    sa.Column('set_slug', sa.String(length=64), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('wrong', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('set_slug', 'question_id', 'day', name=op.f('pk_quiz_question_tallies'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_deadline_id')
        batch_op.create_index(
            'ix_outbox_deadline_report',
            ['deadline_id', 'purpose', 'recipient_id'],
            unique=False,
            postgresql_include=['status', 'occurrence', 'reason'],
        )
    day = _LOCAL_DAY[op.get_bind().dialect.name]
    op.execute(
        "INSERT INTO quiz_question_tallies (set_slug, question_id, day, answered, wrong) "
        f"SELECT a.set_slug, q.question_id, {day}, COUNT(*), "
        "SUM(CASE WHEN q.correct THEN 0 ELSE 1 END) "
        "FROM quiz_answers q JOIN quiz_attempts a ON a.id = q.attempt_id "
        "WHERE a.status = 'finished' AND a.finished_at IS NOT NULL "
        f"GROUP BY a.set_slug, q.question_id, {day}"
    )


def downgrade() -> None:
    op.drop_table('quiz_question_tallies')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_deadline_report')
        batch_op.create_index('ix_outbox_deadline_id', ['deadline_id'], unique=False)
