"""staff verification, erasable question log, roster identifiers, web-session quota

Revision ID: 0010_staff_verification
Revises: 0009_turn_replies
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

from bot.storage.models.base import UtcDateTime

revision = "0010_staff_verification"
down_revision = "0009_turn_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Staff registered before verification existed start unconfirmed (pending): they count
    again once confirmed. Old logged questions stay unlinked (they cannot be attributed)."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("verified_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verified_at", UtcDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("verified_via", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("rejected_unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_users_verified_unit_id_units"),
            "units",
            ["verified_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_foreign_key(
            op.f("fk_users_rejected_unit_id_units"),
            "units",
            ["rejected_unit_id"],
            ["id"],
            ondelete="SET NULL",
        )
    with op.batch_alter_table("knowledge_unanswered") as batch:
        batch.add_column(sa.Column("asker_id", sa.Integer(), nullable=True))
        batch.create_index(
            op.f("ix_knowledge_unanswered_asker_id"), ["asker_id"], unique=False
        )
        batch.create_foreign_key(
            op.f("fk_knowledge_unanswered_asker_id_users"),
            "users",
            ["asker_id"],
            ["id"],
            ondelete="CASCADE",
        )
    with op.batch_alter_table("staff_roster") as batch:
        batch.add_column(sa.Column("email", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("staff_code", sa.String(length=64), nullable=True))
    op.create_table(
        "web_session_quota",
        sa.Column("client_key", sa.String(length=64), nullable=False),
        sa.Column("window_start", UtcDateTime(timezone=True), nullable=False),
        sa.Column("opened", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("client_key", "window_start", name=op.f("pk_web_session_quota")),
    )


def downgrade() -> None:
    op.drop_table("web_session_quota")
    with op.batch_alter_table("staff_roster") as batch:
        batch.drop_column("staff_code")
        batch.drop_column("email")
    with op.batch_alter_table("knowledge_unanswered") as batch:
        batch.drop_constraint(op.f("fk_knowledge_unanswered_asker_id_users"), type_="foreignkey")
        batch.drop_index(op.f("ix_knowledge_unanswered_asker_id"))
        batch.drop_column("asker_id")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint(op.f("fk_users_rejected_unit_id_units"), type_="foreignkey")
        batch.drop_constraint(op.f("fk_users_verified_unit_id_units"), type_="foreignkey")
        batch.drop_column("rejected_unit_id")
        batch.drop_column("verified_via")
        batch.drop_column("verified_at")
        batch.drop_column("verified_unit_id")
