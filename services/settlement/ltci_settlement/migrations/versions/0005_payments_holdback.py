"""Provider payment batches and their items, the scorecards read model (care delivery's
ScorecardIssued), quality-holdback releases.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "payment_batches",
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("provider_ids", sa.JSON(), nullable=True),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("total_fen", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("batch_id", name="pk_payment_batches"),
    )
    op.create_index(
        "ix_payment_batches_region_code_period", "payment_batches", ["region_code", "period"]
    )
    op.create_table(
        "payment_items",
        sa.Column("item_id", sa.String(36), nullable=False),
        sa.Column("batch_id", sa.String(36), nullable=False),
        sa.Column("item_no", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("fund", sa.String(30), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("bank_reference", sa.String(64), nullable=True),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("reversal_entry_id", sa.String(36), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("item_id", name="pk_payment_items"),
        sa.UniqueConstraint("batch_id", "item_no", name="uq_payment_items_batch_id_item_no"),
    )
    op.create_index(
        "ix_payment_items_region_code_period", "payment_items", ["region_code", "period"]
    )
    op.create_index(
        "ix_payment_items_provider_id_period", "payment_items", ["provider_id", "period"]
    )
    op.create_table(
        "provider_scorecards",
        sa.Column("provider_id", sa.String(64), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("score", sa.String(6), nullable=False),
        sa.Column("policy_version", sa.String(80), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "period", name="pk_provider_scorecards"),
    )
    op.create_table(
        "holdback_releases",
        sa.Column("release_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("provider_id", sa.String(36), nullable=False),
        sa.Column("fund", sa.String(30), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("score", sa.String(6), nullable=False),
        sa.Column("release_share", sa.String(8), nullable=False),
        sa.Column("withheld_fen", sa.BigInteger(), nullable=False),
        sa.Column("released_fen", sa.BigInteger(), nullable=False),
        sa.Column("forfeited_fen", sa.BigInteger(), nullable=False),
        sa.Column("policy_version", sa.String(80), nullable=False),
        sa.Column("entry_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("release_id", name="pk_holdback_releases"),
    )
    op.create_index(
        "ix_holdback_releases_region_code_period", "holdback_releases", ["region_code", "period"]
    )


def downgrade() -> None:
    op.drop_index("ix_holdback_releases_region_code_period", table_name="holdback_releases")
    op.drop_table("holdback_releases")
    op.drop_table("provider_scorecards")
    op.drop_index("ix_payment_items_provider_id_period", table_name="payment_items")
    op.drop_index("ix_payment_items_region_code_period", table_name="payment_items")
    op.drop_table("payment_items")
    op.drop_index("ix_payment_batches_region_code_period", table_name="payment_batches")
    op.drop_table("payment_batches")
