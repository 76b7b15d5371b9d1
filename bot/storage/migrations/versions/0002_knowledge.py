"""knowledge: unanswered questions, answer feedback, content versions

Revision ID: 0002_knowledge
Revises: 0001_foundation
Create Date: 2026-11-29
"""
from alembic import op
import sqlalchemy as sa
import bot.storage.models.base


revision = '0002_knowledge'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('knowledge_unanswered',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('closest_topic', sa.String(length=80), nullable=True),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('content_version', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_unanswered'))
    )
    with op.batch_alter_table('knowledge_unanswered', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_unanswered_created_at'), ['created_at'], unique=False)

    op.create_table('knowledge_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic', sa.String(length=80), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('content_version', sa.String(length=32), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_feedback'))
    )
    with op.batch_alter_table('knowledge_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_knowledge_feedback_topic'), ['topic'], unique=False)

    op.create_table('knowledge_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fingerprint', sa.String(length=32), nullable=False),
    sa.Column('files', sa.JSON(), nullable=False),
    sa.Column('topic_count', sa.Integer(), nullable=False),
    sa.Column('created_at', bot.storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_knowledge_versions'))
    )


def downgrade() -> None:
    op.drop_table('knowledge_versions')
    with op.batch_alter_table('knowledge_feedback', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_feedback_topic'))
    op.drop_table('knowledge_feedback')
    with op.batch_alter_table('knowledge_unanswered', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_knowledge_unanswered_created_at'))
    op.drop_table('knowledge_unanswered')
