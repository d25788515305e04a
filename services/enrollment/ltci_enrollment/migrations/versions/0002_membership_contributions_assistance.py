"""Master data, versions, membership periods, contributions, assistance categories, imports.

Existing persons keep their first membership period (moved from persons.scheme/valid_from).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MONEY = sa.Numeric(15, 2)


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "memberships",
        sa.Column("membership_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(20), nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name="fk_memberships_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("membership_id", name="pk_memberships"),
        sa.UniqueConstraint("person_id", "valid_from", name="uq_memberships_person_id_valid_from"),
    )
    op.create_index("ix_memberships_region_scheme", "memberships", ["region_code", "scheme"])
    op.execute(
        "INSERT INTO memberships (membership_id, person_id, scheme, region_code, valid_from, "
        "created_at) SELECT person_id, person_id, scheme, region_code, valid_from, created_at "
        "FROM persons"
    )
    with op.batch_alter_table("persons") as batch:
        batch.drop_column("scheme")
        batch.drop_column("valid_from")
        batch.add_column(sa.Column("phone_encrypted", sa.String(200), nullable=True))
        batch.add_column(sa.Column("phone_masked", sa.String(20), nullable=True))
        batch.add_column(sa.Column("address", sa.String(300), nullable=True))
        batch.add_column(sa.Column("home_latitude", sa.Numeric(9, 6), nullable=True))
        batch.add_column(sa.Column("home_longitude", sa.Numeric(9, 6), nullable=True))
        batch.add_column(sa.Column("contact_name", sa.String(100), nullable=True))
        batch.add_column(sa.Column("contact_phone_encrypted", sa.String(200), nullable=True))
        batch.add_column(sa.Column("contact_phone_masked", sa.String(20), nullable=True))
        batch.add_column(sa.Column("died_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("version", sa.Integer(), server_default="1", nullable=False))
        batch.add_column(_ts("updated_at", nullable=True))
        batch.create_index("ix_persons_region_code", ["region_code"])
    op.create_table(
        "person_versions",
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        _ts("changed_at"),
        sa.Column("changed_by", sa.String(100), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name="fk_person_versions_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("person_id", "version", name="pk_person_versions"),
    )
    op.create_table(
        "assistance_assignments",
        sa.Column("assignment_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("recipient_class", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("revoked_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(200), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["persons.person_id"],
            name="fk_assistance_assignments_person_id_persons",
        ),
        sa.PrimaryKeyConstraint("assignment_id", name="pk_assistance_assignments"),
        sa.UniqueConstraint(
            "person_id",
            "category",
            "valid_from",
            name="uq_assistance_assignments_person_id_category_valid_from",
        ),
    )
    op.create_index("ix_assistance_assignments_person_id", "assistance_assignments", ["person_id"])
    op.create_table(
        "collection_runs",
        sa.Column("run_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("policy_version", sa.String(60), nullable=False),
        sa.Column("members_total", sa.Integer(), server_default="0", nullable=False),
        sa.Column("members_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("charges_created", sa.Integer(), server_default="0", nullable=False),
        sa.Column("charges_existing", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("run_id", name="pk_collection_runs"),
    )
    op.create_table(
        "contribution_charges",
        sa.Column("charge_id", sa.String(36), nullable=False),
        sa.Column("person_id", sa.String(36), nullable=False),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("scheme", sa.String(20), nullable=False),
        sa.Column("payer", sa.String(30), nullable=False),
        sa.Column("fund", sa.String(30), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("received", MONEY, server_default="0", nullable=False),
        sa.Column("policy_version", sa.String(60), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.person_id"], name="fk_contribution_charges_person_id_persons"
        ),
        sa.PrimaryKeyConstraint("charge_id", name="pk_contribution_charges"),
        sa.UniqueConstraint(
            "year",
            "person_id",
            "payer",
            "fund",
            name="uq_contribution_charges_year_person_id_payer_fund",
        ),
    )
    op.create_index(
        "ix_contribution_charges_region_year",
        "contribution_charges",
        ["region_code", "year", "payer"],
    )
    op.create_table(
        "contribution_receipts",
        sa.Column("receipt_id", sa.String(36), nullable=False),
        sa.Column("charge_id", sa.String(36), nullable=True),
        sa.Column("person_id", sa.String(36), nullable=True),
        sa.Column("region_code", sa.String(6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("payer", sa.String(30), nullable=False),
        sa.Column("fund", sa.String(30), nullable=False),
        sa.Column("amount", MONEY, nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.String(100), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(
            ["charge_id"],
            ["contribution_charges.charge_id"],
            name="fk_contribution_receipts_charge_id_contribution_charges",
        ),
        sa.PrimaryKeyConstraint("receipt_id", name="pk_contribution_receipts"),
        sa.UniqueConstraint("reference", name="uq_contribution_receipts_reference"),
    )
    op.create_table(
        "imports",
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("rows_done", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_ok", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_duplicate", sa.Integer(), server_default="0", nullable=False),
        sa.Column("rows_failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        _ts("started_at"),
        _ts("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("import_id", name="pk_imports"),
    )
    op.create_table(
        "import_errors",
        sa.Column("import_id", sa.String(36), nullable=False),
        sa.Column("row_number", sa.Integer(), nullable=False),
        sa.Column("error", sa.String(60), nullable=False),
        sa.Column("detail", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.import_id"], name="fk_import_errors_import_id_imports"
        ),
        sa.PrimaryKeyConstraint("import_id", "row_number", name="pk_import_errors"),
    )


def downgrade() -> None:
    for table in (
        "import_errors",
        "imports",
        "contribution_receipts",
        "contribution_charges",
        "collection_runs",
        "assistance_assignments",
        "person_versions",
    ):
        op.drop_table(table)
    with op.batch_alter_table("persons") as batch:
        batch.drop_index("ix_persons_region_code")
        for column in (
            "updated_at",
            "version",
            "died_on",
            "contact_phone_masked",
            "contact_phone_encrypted",
            "contact_name",
            "home_longitude",
            "home_latitude",
            "address",
            "phone_masked",
            "phone_encrypted",
        ):
            batch.drop_column(column)
        batch.add_column(sa.Column("scheme", sa.String(20), server_default="resident"))
        batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
    op.drop_table("memberships")
