"""Report summaries kept current with their rows and backfilled here: per-unit tallies of
households, visits by day, cases, open deadlines by day, hours to close and the three rates'
counts by day; the never-visited households, each live household's last visit, each open
case's deadline and each closed-out case's hours

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 03:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def _unit():
    return sa.Column('unit_id', sa.Integer(), nullable=False)


def upgrade():
    op.create_table('report_unit_tallies',
    sa.Column('unit_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.Column('unassigned', sa.Integer(), nullable=False),
    sa.Column('visited', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_unit_tallies_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_report_unit_tallies'))
    )
    op.create_table('report_visit_days',
    _unit(),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_visit_days_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'day', name='pk_report_visit_days')
    )
    op.create_table('report_case_tallies',
    _unit(),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('urgency', sa.String(length=8), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_case_tallies_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'status', 'category', 'level', 'urgency', name='pk_report_case_tallies')
    )
    op.create_table('report_case_due',
    _unit(),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_case_due_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'day', name='pk_report_case_due')
    )
    op.create_table('report_never_visited',
    sa.Column('household_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                            name=op.f('fk_report_never_visited_household_id_households')),
    sa.ForeignKeyConstraint(['village_id'], ['org_units.id'],
                            name=op.f('fk_report_never_visited_village_id_org_units')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_report_never_visited'))
    )
    with op.batch_alter_table('report_never_visited') as batch_op:
        batch_op.create_index('ix_report_never_visited_village_id_household_id', ['village_id', 'household_id'],
                              unique=False)
    op.create_table('report_close_hours',
    _unit(),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_close_hours_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'hour', name='pk_report_close_hours')
    )
    op.create_table('report_closed_cases',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('hours', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_closed_cases_case_id_cases')),
    sa.ForeignKeyConstraint(['village_id'], ['org_units.id'], name=op.f('fk_report_closed_cases_village_id_org_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_report_closed_cases'))
    )
    with op.batch_alter_table('report_closed_cases') as batch_op:
        batch_op.create_index('ix_report_closed_cases_hours', ['hours'], unique=False)
    op.create_table('report_rate_days',
    _unit(),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    *[sa.Column(name, sa.Integer(), nullable=False)
      for name in ('on_time', 'due', 'closed', 'judged', 'satisfied', 'revisited')],
    sa.ForeignKeyConstraint(['unit_id'], ['org_units.id'], name=op.f('fk_report_rate_days_unit_id_org_units')),
    sa.PrimaryKeyConstraint('unit_id', 'department_id', 'day', name='pk_report_rate_days')
    )
    op.create_table('report_last_visits',
    sa.Column('household_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'],
                            name=op.f('fk_report_last_visits_household_id_households')),
    sa.ForeignKeyConstraint(['village_id'], ['org_units.id'], name=op.f('fk_report_last_visits_village_id_org_units')),
    sa.PrimaryKeyConstraint('household_id', name=op.f('pk_report_last_visits'))
    )
    with op.batch_alter_table('report_last_visits') as batch_op:
        batch_op.create_index('ix_report_last_visits_village_id_at', ['village_id', 'at'], unique=False)
        batch_op.create_index('ix_report_last_visits_at', ['at'], unique=False)
    op.create_table('report_open_deadlines',
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('village_id', sa.Integer(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_report_open_deadlines_case_id_cases')),
    sa.ForeignKeyConstraint(['village_id'], ['org_units.id'],
                            name=op.f('fk_report_open_deadlines_village_id_org_units')),
    sa.PrimaryKeyConstraint('case_id', name=op.f('pk_report_open_deadlines'))
    )
    with op.batch_alter_table('report_open_deadlines') as batch_op:
        batch_op.create_index('ix_report_open_deadlines_village_id_due_at', ['village_id', 'due_at'], unique=False)
        batch_op.create_index('ix_report_open_deadlines_due_at', ['due_at'], unique=False)

    from app.reports.summaries import rebuild_summaries
    rebuild_summaries(op.get_bind())


def downgrade():
    op.drop_table('report_open_deadlines')
    op.drop_table('report_last_visits')
    op.drop_table('report_rate_days')
    op.drop_table('report_closed_cases')
    op.drop_table('report_close_hours')
    op.drop_table('report_never_visited')
    op.drop_table('report_case_due')
    op.drop_table('report_case_tallies')
    op.drop_table('report_visit_days')
    op.drop_table('report_unit_tallies')
