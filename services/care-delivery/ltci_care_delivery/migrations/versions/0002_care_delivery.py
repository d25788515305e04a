"""Care delivery: read models, providers and agreements, caregivers, care plans, stays,
device rentals, visits with their exceptions and audit trail.

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


def upgrade() -> None:
    op.create_table('caregivers',
    sa.Column('caregiver_id', sa.String(length=64), nullable=False),
    sa.Column('resident_id_hash', sa.String(length=64), nullable=False),
    sa.Column('resident_id_encrypted', sa.String(length=200), nullable=False),
    sa.Column('resident_id_masked', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('certificate_no', sa.String(length=60), nullable=False),
    sa.Column('certificate_valid_from', sa.Date(), nullable=False),
    sa.Column('certificate_valid_until', sa.Date(), nullable=False),
    sa.Column('star_level', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('caregiver_id', name=op.f('pk_caregivers')),
    sa.UniqueConstraint('resident_id_hash', name=op.f('uq_caregivers_resident_id_hash'))
    )
    op.create_table('eligibilities',
    sa.Column('eligibility_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('eligibility_id', name=op.f('pk_eligibilities'))
    )
    op.create_index(op.f('ix_eligibilities_person_id'), 'eligibilities', ['person_id'], unique=False)
    op.create_table('persons',
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('home_latitude', sa.Float(), nullable=True),
    sa.Column('home_longitude', sa.Float(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('died_on', sa.Date(), nullable=True),
    sa.Column('enrollment_ended_on', sa.Date(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_persons'))
    )
    op.create_table('providers',
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('uscc', sa.String(length=18), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('admission_route', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('suspended_since', sa.Date(), nullable=True),
    sa.Column('terminated_on', sa.Date(), nullable=True),
    sa.Column('status_reason', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('provider_id', name=op.f('pk_providers')),
    sa.UniqueConstraint('uscc', name=op.f('uq_providers_uscc'))
    )
    op.create_index(op.f('ix_providers_status'), 'providers', ['status'], unique=False)
    op.create_table('stays',
    sa.Column('stay_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('facility', sa.String(length=200), nullable=True),
    sa.Column('admitted_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('stay_id', name=op.f('pk_stays'))
    )
    op.create_index(op.f('ix_stays_person_id'), 'stays', ['person_id'], unique=False)
    op.create_table('visits',
    sa.Column('visit_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('caregiver_id', sa.String(length=64), nullable=False),
    sa.Column('plan_id', sa.String(length=64), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('service_form', sa.String(length=20), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('service_month', sa.String(length=7), nullable=False),
    sa.Column('begin_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('check_in', sa.JSON(), nullable=False),
    sa.Column('check_out', sa.JSON(), nullable=True),
    sa.Column('distance_meters', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('policy_version', sa.String(length=60), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_visits')),
    sa.UniqueConstraint('provider_id', 'external_id', name=op.f('uq_visits_provider_id_external_id'))
    )
    op.create_index('ix_visits_caregiver_id_service_date', 'visits', ['caregiver_id', 'service_date'], unique=False)
    op.create_index('ix_visits_person_id', 'visits', ['person_id'], unique=False)
    op.create_index('ix_visits_plan_id_service_month', 'visits', ['plan_id', 'service_month'], unique=False)
    op.create_table('agreements',
    sa.Column('agreement_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('agreement_no', sa.String(length=60), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('forms', sa.JSON(), nullable=False),
    sa.Column('service_area', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.provider_id'], name=op.f('fk_agreements_provider_id_providers')),
    sa.PrimaryKeyConstraint('agreement_id', name=op.f('pk_agreements'))
    )
    op.create_index('ix_agreements_provider_id', 'agreements', ['provider_id'], unique=False)
    op.create_table('care_plans',
    sa.Column('plan_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('eligibility_id', sa.String(length=64), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('service_form', sa.String(length=20), nullable=False),
    sa.Column('package_code', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('visits_per_month', sa.Integer(), nullable=True),
    sa.Column('hours_per_month', sa.Integer(), nullable=True),
    sa.Column('min_minutes_per_visit', sa.Integer(), nullable=True),
    sa.Column('quotas_by_grade', sa.JSON(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('paused_since', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=40), nullable=True),
    sa.Column('policy_version', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.provider_id'], name=op.f('fk_care_plans_provider_id_providers')),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_care_plans'))
    )
    op.create_index(op.f('ix_care_plans_person_id'), 'care_plans', ['person_id'], unique=False)
    op.create_table('caregiver_providers',
    sa.Column('caregiver_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('since', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['caregiver_id'], ['caregivers.caregiver_id'], name=op.f('fk_caregiver_providers_caregiver_id_caregivers')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.provider_id'], name=op.f('fk_caregiver_providers_provider_id_providers')),
    sa.PrimaryKeyConstraint('caregiver_id', 'provider_id', name=op.f('pk_caregiver_providers'))
    )
    op.create_index('ix_caregiver_providers_provider_id', 'caregiver_providers', ['provider_id'], unique=False)
    op.create_table('device_rentals',
    sa.Column('rental_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('device_code', sa.String(length=40), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('daily_rate', sa.String(length=20), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('policy_version', sa.String(length=60), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.provider_id'], name=op.f('fk_device_rentals_provider_id_providers')),
    sa.PrimaryKeyConstraint('rental_id', name=op.f('pk_device_rentals'))
    )
    op.create_index(op.f('ix_device_rentals_person_id'), 'device_rentals', ['person_id'], unique=False)
    op.create_table('visit_audit',
    sa.Column('audit_id', sa.String(length=64), nullable=False),
    sa.Column('visit_id', sa.String(length=64), nullable=False),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('reason_code', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.visit_id'], name=op.f('fk_visit_audit_visit_id_visits')),
    sa.PrimaryKeyConstraint('audit_id', name=op.f('pk_visit_audit'))
    )
    op.create_index(op.f('ix_visit_audit_visit_id'), 'visit_audit', ['visit_id'], unique=False)
    op.create_table('visit_exceptions',
    sa.Column('exception_id', sa.String(length=64), nullable=False),
    sa.Column('visit_id', sa.String(length=64), nullable=False),
    sa.Column('provider_id', sa.String(length=64), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('resolution_code', sa.String(length=40), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['visit_id'], ['visits.visit_id'], name=op.f('fk_visit_exceptions_visit_id_visits')),
    sa.PrimaryKeyConstraint('exception_id', name=op.f('pk_visit_exceptions'))
    )
    op.create_index('ix_visit_exceptions_provider_id_status', 'visit_exceptions', ['provider_id', 'status'], unique=False)
    op.create_index(op.f('ix_visit_exceptions_visit_id'), 'visit_exceptions', ['visit_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_visit_exceptions_visit_id'), table_name='visit_exceptions')
    op.drop_index('ix_visit_exceptions_provider_id_status', table_name='visit_exceptions')
    op.drop_table('visit_exceptions')
    op.drop_index(op.f('ix_visit_audit_visit_id'), table_name='visit_audit')
    op.drop_table('visit_audit')
    op.drop_index(op.f('ix_device_rentals_person_id'), table_name='device_rentals')
    op.drop_table('device_rentals')
    op.drop_index('ix_caregiver_providers_provider_id', table_name='caregiver_providers')
    op.drop_table('caregiver_providers')
    op.drop_index(op.f('ix_care_plans_person_id'), table_name='care_plans')
    op.drop_table('care_plans')
    op.drop_index('ix_agreements_provider_id', table_name='agreements')
    op.drop_table('agreements')
    op.drop_index('ix_visits_plan_id_service_month', table_name='visits')
    op.drop_index('ix_visits_person_id', table_name='visits')
    op.drop_index('ix_visits_caregiver_id_service_date', table_name='visits')
    op.drop_table('visits')
    op.drop_index(op.f('ix_stays_person_id'), table_name='stays')
    op.drop_table('stays')
    op.drop_index(op.f('ix_providers_status'), table_name='providers')
    op.drop_table('providers')
    op.drop_table('persons')
    op.drop_index(op.f('ix_eligibilities_person_id'), table_name='eligibilities')
    op.drop_table('eligibilities')
    op.drop_table('caregivers')
