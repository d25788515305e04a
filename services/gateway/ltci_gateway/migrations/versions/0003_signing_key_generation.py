"""Signing keys get a unique generation: replicas starting or rotating together make one key.

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

# Keys already made (several, where workers raced) are numbered in their signing order.
NUMBERED = (
    "UPDATE signing_keys SET generation = (SELECT count(*) FROM signing_keys AS earlier "
    "WHERE earlier.activates_at < signing_keys.activates_at OR (earlier.activates_at = "
    "signing_keys.activates_at AND earlier.kid <= signing_keys.kid))"
)


def upgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.add_column(sa.Column("generation", sa.Integer(), nullable=True))
    op.execute(NUMBERED)
    with op.batch_alter_table("signing_keys") as batch:
        batch.alter_column("generation", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint("uq_signing_keys_generation", ["generation"])


def downgrade() -> None:
    with op.batch_alter_table("signing_keys") as batch:
        batch.drop_constraint("uq_signing_keys_generation", type_="unique")
        batch.drop_column("generation")
