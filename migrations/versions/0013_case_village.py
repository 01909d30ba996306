"""A case carries its household's village, indexed with its creation time, so a village's or
township's case list reads each village's newest cases from an index

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-28 04:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE cases SET village_id = (SELECT h.village_id FROM households h WHERE h.id = cases.household_id)
"""
# The same in one join on PostgreSQL: a province has hundreds of thousands of cases.
BACKFILL_PG = """
UPDATE cases c SET village_id = h.village_id FROM households h WHERE h.id = c.household_id
"""


def upgrade():
    with op.batch_alter_table('cases') as batch_op:
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
    op.execute(BACKFILL_PG if op.get_bind().dialect.name == "postgresql" else BACKFILL)
    with op.batch_alter_table('cases') as batch_op:
        batch_op.create_index('ix_cases_village_id_created_at_id', ['village_id', 'created_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('cases') as batch_op:
        batch_op.drop_index('ix_cases_village_id_created_at_id')
        batch_op.drop_column('village_id')
