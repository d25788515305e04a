"""Family-care certifications read model (care-delivery's FamilyCareCertified events).

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
        "family_care_certifications",
        sa.Column("certification_id", sa.String(36), nullable=False),
        sa.Column("plan_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("care_days", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("certification_id", name="pk_family_care_certifications"),
        sa.UniqueConstraint(
            "plan_id", "period", name="uq_family_care_certifications_plan_id_period"
        ),
    )


def downgrade() -> None:
    op.drop_table("family_care_certifications")
