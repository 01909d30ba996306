"""photos as evidence (attachments)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 00:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('attachments',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('uploader_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('upload_sha256', sa.String(length=64), nullable=False),
    sa.Column('keep_location', sa.Boolean(), nullable=False),
    sa.Column('store', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=120), nullable=False),
    sa.Column('thumb_key', sa.String(length=120), nullable=False),
    sa.Column('content_type', sa.String(length=16), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('thumb_size', sa.Integer(), nullable=False),
    sa.Column('owner_type', sa.String(length=16), nullable=True),
    sa.Column('owner_id', sa.Uuid(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Uuid(), nullable=True),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_attachments_case_id_cases')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_attachments_household_id_households')),
    sa.ForeignKeyConstraint(['uploader_id'], ['users.id'], name=op.f('fk_attachments_uploader_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index('ix_attachments_case_id', ['case_id'], unique=False)
        batch_op.create_index('ix_attachments_household_id', ['household_id'], unique=False)
        batch_op.create_index('ix_attachments_owner_id_position', ['owner_id', 'position'], unique=False)
        batch_op.create_index('ix_attachments_uploader_id_created_at', ['uploader_id', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index('ix_attachments_uploader_id_created_at')
        batch_op.drop_index('ix_attachments_owner_id_position')
        batch_op.drop_index('ix_attachments_household_id')
        batch_op.drop_index('ix_attachments_case_id')
    op.drop_table('attachments')
