"""the household register (issue: 一户一档)

Households get their village and a number unique in it (户编号; existing ones are numbered
1, 2, 3 ... per village in the order they were made) and can be archived; residents and the
log of who saw a resident's full ID number are new.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 00:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

GRID = 'grid'  # org_units.kind of a grid; a household on a village directly belongs to it


def upgrade():
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('household_no', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('archive_reason', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('archive_note', sa.String(length=200), server_default='', nullable=False))
    _number_existing_households()
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.alter_column('village_id', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('household_no', existing_type=sa.String(length=20), nullable=False)
        batch_op.create_foreign_key(op.f('fk_households_village_id_org_units'), 'org_units', ['village_id'], ['id'])
        batch_op.create_unique_constraint('uq_households_village_id_household_no', ['village_id', 'household_no'])

    op.create_table('residents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('relation', sa.String(length=16), nullable=False),
    sa.Column('gender', sa.String(length=8), nullable=False),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('care', sa.JSON(), nullable=False),
    sa.Column('id_number_token', sa.Text(), nullable=True),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_residents_household_id_households')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_residents'))
    )
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_residents_household_id'), ['household_id'], unique=False)

    op.create_table('id_number_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('resident_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('viewer_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_id_number_views_household_id_households')),
    sa.ForeignKeyConstraint(['viewer_id'], ['users.id'], name=op.f('fk_id_number_views_viewer_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_id_number_views'))
    )
    with op.batch_alter_table('id_number_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_id_number_views_resident_id'), ['resident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_id_number_views_viewer_id'), ['viewer_id'], unique=False)


def _number_existing_households():
    """Each existing household: its village, and the next number there, in the order of ids."""
    conn = op.get_bind()
    units = {row.id: row for row in conn.execute(sa.text('SELECT id, kind, parent_id FROM org_units'))}
    counters, updates = {}, []
    for hid, unit_id in conn.execute(sa.text('SELECT id, org_unit_id FROM households ORDER BY id')):
        unit = units[unit_id]
        village = unit.parent_id if unit.kind == GRID else unit.id
        counters[village] = counters.get(village, 0) + 1
        updates.append({'id': hid, 'village': village, 'no': str(counters[village])})
    if updates:
        conn.execute(sa.text('UPDATE households SET village_id = :village, household_no = :no WHERE id = :id'),
                     updates)


def downgrade():
    with op.batch_alter_table('id_number_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_id_number_views_viewer_id'))
        batch_op.drop_index(batch_op.f('ix_id_number_views_resident_id'))
    op.drop_table('id_number_views')
    with op.batch_alter_table('residents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_residents_household_id'))
    op.drop_table('residents')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint('uq_households_village_id_household_no', type_='unique')
        batch_op.drop_constraint(op.f('fk_households_village_id_org_units'), type_='foreignkey')
        batch_op.drop_column('archive_note')
        batch_op.drop_column('archive_reason')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('household_no')
        batch_op.drop_column('village_id')
