"""One-stop medical-assistance settlement: the assistance-assignments read model, designated
medical providers, year-to-date counters per person, settlements, high-cost alerts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('assistance_assignments',
    sa.Column('assignment_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('recipient_class', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('assignment_id', name=op.f('pk_assistance_assignments'))
    )
    op.create_index(op.f('ix_assistance_assignments_person_id'), 'assistance_assignments', ['person_id'], unique=False)
    op.create_table('high_cost_alerts',
    sa.Column('alert_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('threshold_fen', sa.BigInteger(), nullable=False),
    sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
    sa.Column('settlement_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('followed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('alert_id', name=op.f('pk_high_cost_alerts')),
    sa.UniqueConstraint('person_id', 'year', name=op.f('uq_high_cost_alerts_person_id_year'))
    )
    op.create_index('ix_high_cost_alerts_region_code_status', 'high_cost_alerts', ['region_code', 'status'], unique=False)
    op.create_table('medical_providers',
    sa.Column('hospital_id', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('designated', sa.Boolean(), nullable=False),
    sa.Column('designated_from', sa.Date(), nullable=True),
    sa.Column('designated_until', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('hospital_id', name=op.f('pk_medical_providers'))
    )
    op.create_index(op.f('ix_medical_providers_region_code'), 'medical_providers', ['region_code'], unique=False)
    op.create_table('onestop_counters',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('basic_deductible_inpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_deductible_chronic_outpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_deductible_general_outpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_paid_inpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_paid_chronic_outpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_paid_general_outpatient_fen', sa.BigInteger(), nullable=False),
    sa.Column('critical_illness_deductible_fen', sa.BigInteger(), nullable=False),
    sa.Column('critical_illness_paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('assistance_deductible_fen', sa.BigInteger(), nullable=False),
    sa.Column('assistance_paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('assistance_general_outpatient_paid_fen', sa.BigInteger(), nullable=False),
    sa.Column('total_billed_fen', sa.BigInteger(), nullable=False),
    sa.Column('self_pay_fen', sa.BigInteger(), nullable=False),
    sa.Column('bills', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_id', 'year', name=op.f('pk_onestop_counters'))
    )
    op.create_table('onestop_settlements',
    sa.Column('settlement_id', sa.String(length=36), nullable=False),
    sa.Column('hospital_id', sa.String(length=40), nullable=False),
    sa.Column('bill_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('care_kind', sa.String(length=20), nullable=False),
    sa.Column('service_from', sa.Date(), nullable=False),
    sa.Column('service_to', sa.Date(), nullable=False),
    sa.Column('recipient_class', sa.Integer(), nullable=True),
    sa.Column('recipient_category', sa.String(length=40), nullable=True),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('basic_fen', sa.BigInteger(), nullable=False),
    sa.Column('critical_illness_fen', sa.BigInteger(), nullable=False),
    sa.Column('assistance_fen', sa.BigInteger(), nullable=False),
    sa.Column('patient_fen', sa.BigInteger(), nullable=False),
    sa.Column('assistance_reason', sa.String(length=40), nullable=True),
    sa.Column('request_hash', sa.String(length=64), nullable=False),
    sa.Column('delta', sa.JSON(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('reversal_entry_id', sa.String(length=36), nullable=True),
    sa.Column('cancelled_on', sa.Date(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('settlement_id', name=op.f('pk_onestop_settlements')),
    sa.UniqueConstraint('hospital_id', 'bill_id', name=op.f('uq_onestop_settlements_hospital_id_bill_id'))
    )
    op.create_index('ix_onestop_settlements_person_id_year', 'onestop_settlements', ['person_id', 'year'], unique=False)
    op.create_index('ix_onestop_settlements_region_code_period', 'onestop_settlements', ['region_code', 'period'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_onestop_settlements_region_code_period', table_name='onestop_settlements')
    op.drop_index('ix_onestop_settlements_person_id_year', table_name='onestop_settlements')
    op.drop_table('onestop_settlements')
    op.drop_table('onestop_counters')
    op.drop_index(op.f('ix_medical_providers_region_code'), table_name='medical_providers')
    op.drop_table('medical_providers')
    op.drop_index('ix_high_cost_alerts_region_code_status', table_name='high_cost_alerts')
    op.drop_table('high_cost_alerts')
    op.drop_index(op.f('ix_assistance_assignments_person_id'), table_name='assistance_assignments')
    op.drop_table('assistance_assignments')
