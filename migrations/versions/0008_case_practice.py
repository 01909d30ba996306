"""the practice of 接诉即办: steps, return visits, merges

Cases keep the household's answer at the return visit (回访) and the case a duplicate was
merged into; timeline events keep the deadline a holder's step answered and the department
whose work (or resolution) it is, for the three rates (三率); return visits get a table of
their own, and so do the reminders to visit (走访提醒).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 00:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('satisfaction', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_cases_merged_into_id_cases'), 'cases', ['merged_into_id'], ['id'])

    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('department_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_case_events_department_id_org_units'), 'org_units',
                                    ['department_id'], ['id'])
        batch_op.create_index('ix_case_events_recorded_at', ['recorded_at'], unique=False)

    op.create_table('case_revisits',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('case_id', sa.Uuid(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=8), nullable=False),
    sa.Column('satisfaction', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_case_revisits_actor_id_users')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_revisits_case_id_cases')),
    sa.ForeignKeyConstraint(['department_id'], ['org_units.id'],
                            name=op.f('fk_case_revisits_department_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_case_revisits'))
    )
    with op.batch_alter_table('case_revisits', schema=None) as batch_op:
        batch_op.create_index('ix_case_revisits_case_id_recorded_at', ['case_id', 'recorded_at'], unique=False)
        batch_op.create_index('ix_case_revisits_recorded_at', ['recorded_at'], unique=False)

    op.create_table('visit_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('households', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['users.id'], name=op.f('fk_visit_reminders_member_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_reminders'))
    )
    with op.batch_alter_table('visit_reminders', schema=None) as batch_op:
        batch_op.create_index('ix_visit_reminders_member_id_sent_at', ['member_id', 'sent_at'], unique=False)


def downgrade():
    with op.batch_alter_table('visit_reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_visit_reminders_member_id_sent_at')
    op.drop_table('visit_reminders')

    with op.batch_alter_table('case_revisits', schema=None) as batch_op:
        batch_op.drop_index('ix_case_revisits_recorded_at')
        batch_op.drop_index('ix_case_revisits_case_id_recorded_at')
    op.drop_table('case_revisits')

    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_index('ix_case_events_recorded_at')
        batch_op.drop_constraint(batch_op.f('fk_case_events_department_id_org_units'), type_='foreignkey')
        batch_op.drop_column('department_id')
        batch_op.drop_column('due_at')

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_cases_merged_into_id_cases'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('satisfaction')
