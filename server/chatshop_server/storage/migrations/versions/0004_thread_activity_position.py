"""threads.activity: the event-log position of a thread's last activity

Thread lists were ordered by ``last_activity`` in milliseconds, which ties when two threads
get a message in the same millisecond; the log position is the commit order, so it never
ties and always puts the thread that was written last on top.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 11:20:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.add_column(sa.Column("activity", sa.BigInteger(), nullable=False, server_default="0"))
    op.execute(
        "UPDATE threads SET activity = COALESCE("
        "(SELECT max(events.id) FROM events WHERE events.thread_id = threads.id), 0)"
    )


def downgrade() -> None:
    with op.batch_alter_table("threads") as batch:
        batch.drop_column("activity")
