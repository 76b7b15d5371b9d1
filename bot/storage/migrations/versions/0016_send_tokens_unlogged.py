"""send tokens unlogged (PostgreSQL), as the send pace already is

Revision ID: 0016_send_tokens_unlogged
Revises: 0015_send_tokens
Create Date: 2026-12-02
"""
from alembic import op


revision = '0016_send_tokens_unlogged'
down_revision = '0015_send_tokens'
branch_labels = None
depends_on = None

# Every platform message writes `send_token` twice (its reservation, its release), each in a
# transaction of its own. 0015 created the table logged, so each of those commits waited for a
# WAL flush — the very wait 0014 had taken away from `send_pace` — and the time it costs is the
# broadcast's rate: a token is held from its message's slot until one second after the answer,
# and the reservation's flush comes between the slot (computed before the commit) and the moment
# the sender learns it and sends. The reservation also holds the channel's row until it commits,
# so every sender's reservations queued behind one another's flushes (p99 0.5 s on this shared
# machine). Unlogged, these commits write no WAL to wait for.
# What a crash of PostgreSQL loses is the tokens' holds (the table comes back empty and the next
# reservation creates a free set): a restart of the database takes longer than the one second a
# hold protects, and the senders' connections break with it, so no platform second sees both the
# messages of before and a fresh set of tokens' worth after.


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE send_token SET UNLOGGED')


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE send_token SET LOGGED')
