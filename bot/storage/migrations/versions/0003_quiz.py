"""quiz: attempts, answers, targets and their members, staff roster

Revision ID: 0003_quiz
Revises: 0001_foundation
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0003_quiz'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('quiz_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('period', sa.String(length=100), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('include_subunits', sa.Boolean(), nullable=False),
    sa.Column('set_slugs', sa.JSON(), nullable=False),
    sa.Column('required_rate', sa.Double(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_quiz_targets_unit_id_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_targets')),
    sa.UniqueConstraint('code', name=op.f('uq_quiz_targets_code'))
    )
    with op.batch_alter_table('quiz_targets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_targets_unit_id'), ['unit_id'], unique=False)

    op.create_table('staff_roster',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=False),
    sa.Column('name_folded', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('imported_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_staff_roster_unit_id_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_roster'))
    )
    with op.batch_alter_table('staff_roster', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_roster_unit_id'), ['unit_id'], unique=False)

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('set_slug', sa.String(length=64), nullable=False),
    sa.Column('practice', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('question_ids', sa.JSON(), nullable=False),
    sa.Column('option_orders', sa.JSON(), nullable=False),
    sa.Column('current_index', sa.Integer(), nullable=False),
    sa.Column('question_sent_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('time_limit_s', sa.Integer(), nullable=False),
    sa.Column('pass_ratio', sa.Double(), nullable=False),
    sa.Column('correct_count', sa.Integer(), nullable=False),
    sa.Column('score', sa.Double(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('started_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempts_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_results', ['set_slug', 'finished_at'], unique=False, postgresql_include=['user_id', 'score', 'passed', 'practice'])
        batch_op.create_index('ix_quiz_attempts_user_set', ['user_id', 'set_slug'], unique=False)
        batch_op.create_index('uq_quiz_attempts_active_user', ['user_id'], unique=True, postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))

    op.create_table('quiz_target_members',
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('score_sum', sa.Double(), nullable=False),
    sa.Column('score_count', sa.Integer(), nullable=False),
    sa.Column('sets_passed', sa.Integer(), nullable=False),
    sa.Column('last_pass', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['target_id'], ['quiz_targets.id'], name=op.f('fk_quiz_target_members_target_id_quiz_targets'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_target_members_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('target_id', 'user_id', name=op.f('pk_quiz_target_members'))
    )
    with op.batch_alter_table('quiz_target_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_target_members_user_id'), ['user_id'], unique=False)

    op.create_table('quiz_answers',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('question_index', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=64), nullable=False),
    sa.Column('chosen', sa.Integer(), nullable=True),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('timed_out', sa.Boolean(), nullable=False),
    sa.Column('answered_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_quiz_answers_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('attempt_id', 'question_index', name=op.f('pk_quiz_answers'))
    )


def downgrade() -> None:
    op.drop_table('quiz_answers')
    with op.batch_alter_table('quiz_target_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_target_members_user_id'))

    op.drop_table('quiz_target_members')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index('uq_quiz_attempts_active_user', postgresql_where=sa.text("status = 'active'"), sqlite_where=sa.text("status = 'active'"))
        batch_op.drop_index('ix_quiz_attempts_user_set')
        batch_op.drop_index('ix_quiz_attempts_results', postgresql_include=['user_id', 'score', 'passed', 'practice'])

    op.drop_table('quiz_attempts')
    with op.batch_alter_table('staff_roster', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_roster_unit_id'))

    op.drop_table('staff_roster')
    with op.batch_alter_table('quiz_targets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_targets_unit_id'))

    op.drop_table('quiz_targets')
