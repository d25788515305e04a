"""Care delivery: provider scorecards frozen with their score (ScorecardIssued).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "issued_scorecards",
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("score", sa.String(length=6), nullable=False),
        sa.Column("weights", sa.JSON(), nullable=False),
        sa.Column("card", sa.JSON(), nullable=False),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("provider_id", "period", name="pk_issued_scorecards"),
    )


def downgrade() -> None:
    op.drop_table("issued_scorecards")
