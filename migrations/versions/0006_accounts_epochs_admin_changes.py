"""accounts: session epochs, scope versions, temporary passwords, the record of administrative changes

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 00:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('scope_version', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
    op.create_table('admin_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('target_type', sa.String(length=16), nullable=False),
    sa.Column('target_id', sa.Integer(), nullable=False),
    sa.Column('org_unit_id', sa.Integer(), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_admin_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['org_unit_id'], ['org_units.id'], name=op.f('fk_admin_changes_org_unit_id_org_units')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_changes'))
    )
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.create_index('ix_admin_changes_org_unit_id_at', ['org_unit_id', 'at'], unique=False)
        batch_op.create_index('ix_admin_changes_target', ['target_type', 'target_id'], unique=False)


def downgrade():
    with op.batch_alter_table('admin_changes', schema=None) as batch_op:
        batch_op.drop_index('ix_admin_changes_target')
        batch_op.drop_index('ix_admin_changes_org_unit_id_at')
    op.drop_table('admin_changes')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('scope_version')
        batch_op.drop_column('session_epoch')
