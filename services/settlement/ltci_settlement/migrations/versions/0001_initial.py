"""Initial schema: platform tables and the insured-persons read model.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

from ltci_shared.migrations import create_platform_tables_v1, drop_platform_tables_v1

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_platform_tables_v1()
    op.create_table(
        "insured_persons",
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("sex", sa.String(1), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("person_id", name="pk_insured_persons"),
    )


def downgrade() -> None:
    op.drop_table("insured_persons")
    drop_platform_tables_v1()
