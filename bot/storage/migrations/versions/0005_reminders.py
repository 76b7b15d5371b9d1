"""reminders: deadlines, reminder times, acknowledgements, tip subscriptions, outbox

Revision ID: 0005_reminders
Revises: 0001_foundation
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0005_reminders'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts'))
    )
    op.create_table('deadlines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('due_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('audience', sa.JSON(), nullable=False),
    sa.Column('offsets', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('cancelled_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadlines')),
    sa.UniqueConstraint('code', name=op.f('uq_deadlines_code'))
    )
    with op.batch_alter_table('deadlines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadlines_due_at'), ['due_at'], unique=False)

    op.create_table('job_runs',
    sa.Column('job', sa.String(length=32), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('done_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('job', 'period', name=op.f('pk_job_runs'))
    )
    op.create_table('deadline_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=32), nullable=False),
    sa.Column('fire_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('done_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_deadline_reminders_deadline_id_deadlines'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deadline_reminders')),
    sa.UniqueConstraint('deadline_id', 'label', 'fire_at', name=op.f('uq_deadline_reminders_deadline_id_label_fire_at'))
    )
    with op.batch_alter_table('deadline_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_deadline_reminders_state_fire_at', ['state', 'fire_at'], unique=False)

    op.create_table('deadline_acks',
    sa.Column('deadline_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('acked_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_deadline_acks_deadline_id_deadlines'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deadline_acks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deadline_id', 'user_id', name=op.f('pk_deadline_acks'))
    )
    with op.batch_alter_table('deadline_acks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deadline_acks_user_id'), ['user_id'], unique=False)

    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=32), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=False),
    sa.Column('occurrence', sa.String(length=200), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=128), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('urgent', sa.Boolean(), nullable=False),
    sa.Column('deadline_id', sa.Integer(), nullable=True),
    sa.Column('broadcast_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('available_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=64), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], name=op.f('fk_outbox_broadcast_id_broadcasts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deadline_id'], ['deadlines.id'], name=op.f('fk_outbox_deadline_id_deadlines'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recipient_id'], ['users.id'], name=op.f('fk_outbox_recipient_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox')),
    sa.UniqueConstraint('purpose', 'recipient_id', 'occurrence', name=op.f('uq_outbox_purpose_recipient_id_occurrence'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_broadcast_id', ['broadcast_id'], unique=False)
        batch_op.create_index('ix_outbox_channel_chat_id', ['channel', 'chat_id'], unique=False)
        batch_op.create_index('ix_outbox_deadline_id', ['deadline_id'], unique=False)
        batch_op.create_index('ix_outbox_status_available_at', ['status', 'available_at'], unique=False)

    op.create_table('tip_subscriptions',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('next_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('sent', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_tip_subscriptions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_tip_subscriptions'))
    )
    with op.batch_alter_table('tip_subscriptions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tip_subscriptions_next_at'), ['next_at'], unique=False)


def downgrade() -> None:
    op.drop_table('tip_subscriptions')
    op.drop_table('outbox')
    op.drop_table('deadline_acks')
    op.drop_table('deadline_reminders')
    op.drop_table('job_runs')
    op.drop_table('deadlines')
    op.drop_table('broadcasts')
