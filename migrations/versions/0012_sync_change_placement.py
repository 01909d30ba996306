"""The sync log's rows carry their household's placement (member, org unit, archived; for a
move, where it was) and village, indexed with seq, so a phone's feed reads its scope in order from one
index instead of walking the whole log

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28 03:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

BACKFILL = """
UPDATE sync_changes SET
  member_id = (SELECT h.member_id FROM households h WHERE h.id = sync_changes.household_id),
  org_unit_id = (SELECT h.org_unit_id FROM households h WHERE h.id = sync_changes.household_id),
  village_id = (SELECT h.village_id FROM households h WHERE h.id = sync_changes.household_id),
  archived = COALESCE((SELECT h.archived_at IS NOT NULL FROM households h
                       WHERE h.id = sync_changes.household_id), false)
WHERE household_id IS NOT NULL AND entity <> 'move'
"""
# The same in one join on PostgreSQL: a province's log is millions of rows.
BACKFILL_PG = """
UPDATE sync_changes c SET member_id = h.member_id, org_unit_id = h.org_unit_id, village_id = h.village_id,
  archived = (h.archived_at IS NOT NULL)
FROM households h WHERE h.id = c.household_id AND c.entity <> 'move'
"""
MOVES = """
UPDATE sync_changes SET member_id = old_member_id, org_unit_id = old_org_unit_id,
  village_id = (SELECT h.village_id FROM households h WHERE h.id = sync_changes.household_id)
WHERE entity = 'move'
"""


def upgrade():
    with op.batch_alter_table('sync_changes') as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('org_unit_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('village_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archived', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(BACKFILL_PG if op.get_bind().dialect.name == "postgresql" else BACKFILL)
    op.execute(MOVES)
    with op.batch_alter_table('sync_changes') as batch_op:
        batch_op.create_index('ix_sync_changes_member_id_seq', ['member_id', 'seq'], unique=False)
        batch_op.create_index('ix_sync_changes_org_unit_id_seq', ['org_unit_id', 'seq'], unique=False)
        batch_op.create_index('ix_sync_changes_village_id_seq', ['village_id', 'seq'], unique=False)


def downgrade():
    with op.batch_alter_table('sync_changes') as batch_op:
        batch_op.drop_index('ix_sync_changes_village_id_seq')
        batch_op.drop_index('ix_sync_changes_org_unit_id_seq')
        batch_op.drop_index('ix_sync_changes_member_id_seq')
        batch_op.drop_column('archived')
        batch_op.drop_column('village_id')
        batch_op.drop_column('org_unit_id')
        batch_op.drop_column('member_id')
