"""Settlement: read models (memberships, eligibility, assessments, plans, stays, visits, voids,
rentals), claims and claim lines, the double-entry ledger, month-end runs and statements.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('assessments',
    sa.Column('assessment_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('assessed_on', sa.Date(), nullable=False),
    sa.Column('fee_fen', sa.BigInteger(), nullable=False),
    sa.Column('fee_fund_share_fen', sa.BigInteger(), nullable=False),
    sa.Column('policy_version', sa.String(length=80), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_assessments'))
    )
    op.create_index(op.f('ix_assessments_region_code'), 'assessments', ['region_code'], unique=False)
    op.create_table('care_plans',
    sa.Column('plan_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('service_form', sa.String(length=30), nullable=False),
    sa.Column('package_code', sa.String(length=40), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('plan_id', name=op.f('pk_care_plans'))
    )
    op.create_index(op.f('ix_care_plans_region_code'), 'care_plans', ['region_code'], unique=False)
    op.create_table('claim_lines',
    sa.Column('line_id', sa.String(length=36), nullable=False),
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('line_no', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('source_kind', sa.String(length=10), nullable=False),
    sa.Column('source_key', sa.String(length=80), nullable=False),
    sa.Column('source_revision', sa.Integer(), nullable=False),
    sa.Column('visit_id', sa.String(length=36), nullable=True),
    sa.Column('source_event_id', sa.String(length=64), nullable=True),
    sa.Column('service_form', sa.String(length=30), nullable=False),
    sa.Column('unit', sa.String(length=10), nullable=False),
    sa.Column('units', sa.String(length=20), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('rate_fen', sa.BigInteger(), nullable=False),
    sa.Column('billed_fen', sa.BigInteger(), nullable=False),
    sa.Column('fund_fen', sa.BigInteger(), nullable=False),
    sa.Column('person_fen', sa.BigInteger(), nullable=False),
    sa.Column('denied_fen', sa.BigInteger(), nullable=False),
    sa.Column('fund', sa.String(length=30), nullable=True),
    sa.Column('payee', sa.String(length=10), nullable=False),
    sa.Column('outcome', sa.String(length=20), nullable=False),
    sa.Column('reason_code', sa.String(length=8), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('policy_version', sa.String(length=80), nullable=True),
    sa.Column('assumed', sa.Boolean(), nullable=False),
    sa.Column('sampled', sa.Boolean(), nullable=False),
    sa.Column('review_status', sa.String(length=10), nullable=False),
    sa.Column('review_reason', sa.Text(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=True),
    sa.Column('reversal_entry_id', sa.String(length=36), nullable=True),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('line_id', name=op.f('pk_claim_lines')),
    sa.UniqueConstraint('claim_id', 'line_no', name=op.f('uq_claim_lines_claim_id_line_no'))
    )
    op.create_index('ix_claim_lines_person_id_service_date', 'claim_lines', ['person_id', 'service_date'], unique=False)
    op.create_index('ix_claim_lines_source_key', 'claim_lines', ['source_key'], unique=False)
    op.create_table('claims',
    sa.Column('claim_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('pending_count', sa.Integer(), nullable=False),
    sa.Column('held_count', sa.Integer(), nullable=False),
    sa.Column('billed_fen', sa.BigInteger(), nullable=False),
    sa.Column('fund_fen', sa.BigInteger(), nullable=False),
    sa.Column('person_fen', sa.BigInteger(), nullable=False),
    sa.Column('denied_fen', sa.BigInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('claim_id', name=op.f('pk_claims')),
    sa.UniqueConstraint('region_code', 'period', 'provider_id', name=op.f('uq_claims_region_code_period_provider_id'))
    )
    op.create_table('eligibilities',
    sa.Column('eligibility_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('eligibility_id', name=op.f('pk_eligibilities'))
    )
    op.create_index(op.f('ix_eligibilities_person_id'), 'eligibilities', ['person_id'], unique=False)
    op.create_table('journal_entries',
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('source_key', sa.String(length=120), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.Column('claim_id', sa.String(length=36), nullable=True),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('reverses_entry_id', sa.String(length=36), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('entry_id', name=op.f('pk_journal_entries')),
    sa.UniqueConstraint('source_key', name=op.f('uq_journal_entries_source_key'))
    )
    op.create_index('ix_journal_entries_region_code_period', 'journal_entries', ['region_code', 'period'], unique=False)
    op.create_table('membership_periods',
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('scheme', sa.String(length=20), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('person_id', 'valid_from', name=op.f('pk_membership_periods'))
    )
    op.create_table('period_locks',
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('runs', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('region_code', 'period', name=op.f('pk_period_locks'))
    )
    op.create_table('postings',
    sa.Column('posting_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entry_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('fund', sa.String(length=30), nullable=False),
    sa.Column('account', sa.String(length=40), nullable=False),
    sa.Column('party', sa.String(length=50), nullable=False),
    sa.Column('amount_fen', sa.BigInteger(), nullable=False),
    sa.Column('claim_line_id', sa.String(length=36), nullable=True),
    sa.Column('visit_id', sa.String(length=36), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('posting_id', name=op.f('pk_postings'))
    )
    op.create_index(op.f('ix_postings_entry_id'), 'postings', ['entry_id'], unique=False)
    op.create_index('ix_postings_party', 'postings', ['party'], unique=False)
    op.create_index('ix_postings_region_code_fund_account', 'postings', ['region_code', 'fund', 'account'], unique=False)
    op.create_table('rentals',
    sa.Column('rental_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('device_code', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('daily_rate_fen', sa.BigInteger(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('rental_id', name=op.f('pk_rentals'))
    )
    op.create_index(op.f('ix_rentals_person_id'), 'rentals', ['person_id'], unique=False)
    op.create_table('runs',
    sa.Column('run_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('persons_total', sa.Integer(), nullable=False),
    sa.Column('persons_done', sa.Integer(), nullable=False),
    sa.Column('lines_created', sa.Integer(), nullable=False),
    sa.Column('lines_pending', sa.Integer(), nullable=False),
    sa.Column('lines_reversed', sa.Integer(), nullable=False),
    sa.Column('entries_created', sa.Integer(), nullable=False),
    sa.Column('statements_issued', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('run_id', name=op.f('pk_runs'))
    )
    op.create_index('ix_runs_region_code_period', 'runs', ['region_code', 'period'], unique=False)
    op.create_table('statements',
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('payable_fen', sa.BigInteger(), nullable=False),
    sa.Column('holdback_fen', sa.BigInteger(), nullable=False),
    sa.Column('person_fen', sa.BigInteger(), nullable=False),
    sa.Column('line_count', sa.Integer(), nullable=False),
    sa.Column('ledger_hash', sa.String(length=64), nullable=False),
    sa.Column('run_id', sa.String(length=36), nullable=True),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('statement_id', name=op.f('pk_statements')),
    sa.UniqueConstraint('region_code', 'provider_id', 'period', 'revision', name=op.f('uq_statements_region_code_provider_id_period_revision'))
    )
    op.create_table('stays',
    sa.Column('stay_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=False),
    sa.Column('discharged_on', sa.Date(), nullable=True),
    sa.PrimaryKeyConstraint('stay_id', name=op.f('pk_stays'))
    )
    op.create_index(op.f('ix_stays_person_id'), 'stays', ['person_id'], unique=False)
    op.create_table('visit_voids',
    sa.Column('visit_id', sa.String(length=36), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('voided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_visit_voids'))
    )
    op.create_table('visits',
    sa.Column('visit_id', sa.String(length=36), nullable=False),
    sa.Column('provider_id', sa.String(length=36), nullable=False),
    sa.Column('person_id', sa.String(length=36), nullable=False),
    sa.Column('caregiver_id', sa.String(length=36), nullable=False),
    sa.Column('plan_id', sa.String(length=36), nullable=True),
    sa.Column('region_code', sa.String(length=6), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('service_form', sa.String(length=30), nullable=False),
    sa.Column('service_date', sa.Date(), nullable=False),
    sa.Column('begin_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('verified', sa.Boolean(), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('visit_id', name=op.f('pk_visits'))
    )
    op.create_index('ix_visits_region_code_service_date', 'visits', ['region_code', 'service_date'], unique=False)


def downgrade() -> None:


    op.drop_index('ix_visits_region_code_service_date', table_name='visits')
    op.drop_table('visits')
    op.drop_table('visit_voids')
    op.drop_index(op.f('ix_stays_person_id'), table_name='stays')
    op.drop_table('stays')
    op.drop_table('statements')
    op.drop_index('ix_runs_region_code_period', table_name='runs')
    op.drop_table('runs')
    op.drop_index(op.f('ix_rentals_person_id'), table_name='rentals')
    op.drop_table('rentals')
    op.drop_index('ix_postings_region_code_fund_account', table_name='postings')
    op.drop_index('ix_postings_party', table_name='postings')
    op.drop_index(op.f('ix_postings_entry_id'), table_name='postings')
    op.drop_table('postings')
    op.drop_table('period_locks')
    op.drop_table('membership_periods')
    op.drop_index('ix_journal_entries_region_code_period', table_name='journal_entries')
    op.drop_table('journal_entries')
    op.drop_index(op.f('ix_eligibilities_person_id'), table_name='eligibilities')
    op.drop_table('eligibilities')
    op.drop_table('claims')
    op.drop_index('ix_claim_lines_source_key', table_name='claim_lines')
    op.drop_index('ix_claim_lines_person_id_service_date', table_name='claim_lines')
    op.drop_table('claim_lines')
    op.drop_index(op.f('ix_care_plans_region_code'), table_name='care_plans')
    op.drop_table('care_plans')
    op.drop_index(op.f('ix_assessments_region_code'), table_name='assessments')
    op.drop_table('assessments')
