"""named funding sources, order escrow, media uploads, look-alike names

- ``funding_sources``: where money enters (the simulated card of earlier top-ups becomes
  source 1, "simulated-card"); funding ledger accounts point at their source.
- ``orders.release_after`` / ``released_at``: an order's payment waits in the brand's escrow
  until its return window has passed. Orders paid before this revision already paid the
  brand directly, so they count as released.
- ``media_uploads``: who stored which image (quotas, clean-up of unused images).
- ``users.handle_skeleton``, ``name_skeleton``, ``verified``, ``lookalike``.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 14:00:00
"""

import time

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    now = time.time_ns() // 1_000_000
    op.create_table(
        "funding_sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )
    op.execute(
        f"INSERT INTO funding_sources (id, name, created_at) VALUES (1, 'simulated-card', {now})"
    )
    op.execute("UPDATE ledger_accounts SET user_id = 1 WHERE kind = 'funding' AND user_id = 0")

    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("release_after", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("released_at", sa.BigInteger(), nullable=True))
    op.execute("UPDATE orders SET released_at = updated_at WHERE transfer_id IS NOT NULL")

    op.create_table(
        "media_uploads",
        sa.Column("path", sa.String(length=80), nullable=False),
        sa.Column("bytes", sa.Integer(), nullable=False),
        sa.Column("uploader_id", sa.Integer(), nullable=True),
        sa.Column("brand_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["brand_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["uploader_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("path"),
    )
    op.create_index("ix_media_uploads_uploader", "media_uploads", ["uploader_id", "created_at"])
    op.create_index("ix_media_uploads_brand", "media_uploads", ["brand_id"])

    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("handle_skeleton", sa.String(length=64), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("name_skeleton", sa.String(length=128), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("verified", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("lookalike", sa.Integer(), nullable=False, server_default="0"))
        batch.create_index("ix_users_handle_skeleton", ["handle_skeleton"])
        batch.create_index("ix_users_name_skeleton", ["name_skeleton"])
    _backfill_identity()


def _backfill_identity() -> None:
    from chatshop_server.rules.identity import skeleton

    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, handle, display_name FROM users")).all()
    for row in rows:
        conn.execute(
            sa.text("UPDATE users SET handle_skeleton = :h, name_skeleton = :n WHERE id = :id"),
            {"h": skeleton(row.handle), "n": skeleton(row.display_name), "id": row.id},
        )
    conn.execute(
        sa.text(
            "UPDATE users SET verified = 1 WHERE id IN "
            "(SELECT user_id FROM brands WHERE verified = 1)"
        )
    )
    conn.execute(
        sa.text(
            "UPDATE users SET lookalike = 1 WHERE verified = 0 AND name_skeleton IN "
            "(SELECT name_skeleton FROM users WHERE verified = 1)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_name_skeleton")
        batch.drop_index("ix_users_handle_skeleton")
        batch.drop_column("lookalike")
        batch.drop_column("verified")
        batch.drop_column("name_skeleton")
        batch.drop_column("handle_skeleton")
    op.drop_index("ix_media_uploads_brand", table_name="media_uploads")
    op.drop_index("ix_media_uploads_uploader", table_name="media_uploads")
    op.drop_table("media_uploads")
    with op.batch_alter_table("orders") as batch:
        batch.drop_column("released_at")
        batch.drop_column("release_after")
    op.execute("UPDATE ledger_accounts SET user_id = 0 WHERE kind = 'funding'")
    op.drop_table("funding_sources")
