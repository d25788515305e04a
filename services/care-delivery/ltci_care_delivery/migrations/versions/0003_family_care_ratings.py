"""Care delivery: family caregivers and monthly family-care certifications, satisfaction
ratings, the end of a caregiver's work for a provider, indexes for scorecards and statistics.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("caregiver_providers", sa.Column("until", sa.Date(), nullable=True))
    op.add_column(
        "caregiver_providers", sa.Column("end_reason", sa.String(length=40), nullable=True)
    )
    op.add_column(
        "care_plans", sa.Column("family_caregiver_id", sa.String(length=64), nullable=True)
    )
    op.create_index(
        "ix_visits_provider_id_service_month", "visits", ["provider_id", "service_month"]
    )
    op.create_index("ix_visits_region_code_service_date", "visits", ["region_code", "service_date"])
    op.create_table(
        "family_caregivers",
        sa.Column("family_caregiver_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("resident_id_hash", sa.String(length=64), nullable=False),
        sa.Column("resident_id_encrypted", sa.String(length=200), nullable=False),
        sa.Column("resident_id_masked", sa.String(length=18), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.Column("training_certificate_no", sa.String(length=60), nullable=False),
        sa.Column("trained_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("family_caregiver_id", name=op.f("pk_family_caregivers")),
        sa.UniqueConstraint(
            "person_id",
            "resident_id_hash",
            name=op.f("uq_family_caregivers_person_id_resident_id_hash"),
        ),
    )
    op.create_index(
        op.f("ix_family_caregivers_person_id"), "family_caregivers", ["person_id"], unique=False
    )
    op.create_table(
        "family_care_certifications",
        sa.Column("certification_id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("family_caregiver_id", sa.String(length=64), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("care_days", sa.Integer(), nullable=False),
        sa.Column("days_covered", sa.Integer(), nullable=False),
        sa.Column("confirmation", sa.String(length=30), nullable=False),
        sa.Column("certified_by", sa.String(length=100), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("certified_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["care_plans.plan_id"],
            name=op.f("fk_family_care_certifications_plan_id_care_plans"),
        ),
        sa.PrimaryKeyConstraint("certification_id", name=op.f("pk_family_care_certifications")),
        sa.UniqueConstraint(
            "plan_id", "period", name=op.f("uq_family_care_certifications_plan_id_period")
        ),
    )
    op.create_index(
        op.f("ix_family_care_certifications_person_id"),
        "family_care_certifications",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "ratings",
        sa.Column("rating_id", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("visit_id", sa.String(length=64), nullable=True),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("scope_key", sa.String(length=140), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("complaint_code", sa.String(length=40), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("rated_by", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("rating_id", name=op.f("pk_ratings")),
        sa.UniqueConstraint(
            "provider_id",
            "period",
            "scope_key",
            name=op.f("uq_ratings_provider_id_period_scope_key"),
        ),
    )


def downgrade() -> None:
    op.drop_table("ratings")
    op.drop_index(
        op.f("ix_family_care_certifications_person_id"), table_name="family_care_certifications"
    )
    op.drop_table("family_care_certifications")
    op.drop_index(op.f("ix_family_caregivers_person_id"), table_name="family_caregivers")
    op.drop_table("family_caregivers")
    op.drop_index("ix_visits_region_code_service_date", table_name="visits")
    op.drop_index("ix_visits_provider_id_service_month", table_name="visits")
    with op.batch_alter_table("care_plans") as batch:
        batch.drop_column("family_caregiver_id")
    with op.batch_alter_table("caregiver_providers") as batch:
        batch.drop_column("end_reason")
        batch.drop_column("until")
