"""channels: message refs for edits, Zalo OA tokens and contacts, webhook inbox

Revision ID: 0006_channels
Revises: 0001_foundation
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0006_channels'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_message_refs',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('chat_id', sa.String(length=128), nullable=False),
    sa.Column('edit_key', sa.String(length=64), nullable=False),
    sa.Column('message_id', sa.String(length=64), nullable=False),
    sa.Column('updated_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'chat_id', 'edit_key', name=op.f('pk_channel_message_refs'))
    )
    op.create_table('zalo_oa_tokens',
    sa.Column('app_id', sa.String(length=64), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('access_expires_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('seed_hash', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('app_id', name=op.f('pk_zalo_oa_tokens'))
    )
    op.create_table('zalo_oa_contacts',
    sa.Column('user_id', sa.String(length=128), nullable=False),
    sa.Column('last_interaction_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('following', sa.Boolean(), nullable=False),
    sa.Column('updated_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_zalo_oa_contacts'))
    )
    op.create_table('channel_inbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('event_key', sa.String(length=200), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('processed_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_inbox')),
    sa.UniqueConstraint('channel', 'event_key', name=op.f('uq_channel_inbox_channel_event_key'))
    )
    with op.batch_alter_table('channel_inbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_inbox_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_channel_inbox_processed_at'), ['processed_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('channel_inbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_inbox_processed_at'))
        batch_op.drop_index(batch_op.f('ix_channel_inbox_received_at'))
    op.drop_table('channel_inbox')
    op.drop_table('zalo_oa_contacts')
    op.drop_table('zalo_oa_tokens')
    op.drop_table('channel_message_refs')
