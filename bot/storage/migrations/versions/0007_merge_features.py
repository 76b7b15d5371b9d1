"""merge the feature branches (knowledge, quiz, nominations, reminders, channels)

Revision ID: 0007_merge_features
Revises: 0002_knowledge, 0003_quiz, 0004_nominations, 0005_reminders, 0006_channels
Create Date: 2026-11-29
"""

revision = "0007_merge_features"
down_revision = (
    "0002_knowledge",
    "0003_quiz",
    "0004_nominations",
    "0005_reminders",
    "0006_channels",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to do: this revision only joins the branches into one head."""


def downgrade() -> None:
    """Nothing to undo."""
