"""outbox: remember how many parts of a multi-part push were delivered

Revision ID: 0008_outbox_parts_sent
Revises: 0007_merge_features
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_outbox_parts_sent"
down_revision = "0007_merge_features"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Existing rows have delivered nothing yet (a retry resent whole pushes before)."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("parts_sent", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("parts_sent")
