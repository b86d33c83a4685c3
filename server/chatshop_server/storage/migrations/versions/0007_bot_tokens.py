"""bot tokens: sessions with scopes, a name and who created them

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 15:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions") as batch:
        batch.add_column(sa.Column("scopes", sa.String(length=80), nullable=True))
        batch.add_column(sa.Column("bot_name", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("created_by", sa.Integer(), nullable=True))
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("received_at", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("received_at")
    with op.batch_alter_table("sessions") as batch:
        batch.drop_column("created_by")
        batch.drop_column("bot_name")
        batch.drop_column("scopes")
