"""processed_events: keep each turn's replies with its claim (redeliveries get them again)

Revision ID: 0009_turn_replies
Revises: 0008_outbox_parts_sent
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_turn_replies"
down_revision = "0008_outbox_parts_sent"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Claims made before keep no replies (NULL): their redeliveries are ignored, as before."""
    with op.batch_alter_table("processed_events") as batch:
        batch.add_column(sa.Column("user_id", sa.String(length=128), nullable=True))
        batch.add_column(sa.Column("replies", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("processed_events") as batch:
        batch.drop_column("replies")
        batch.drop_column("user_id")
