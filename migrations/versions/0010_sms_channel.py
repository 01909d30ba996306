"""SMS as a notification channel: a per-person choice beside Web Push and WeCom

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 02:50:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification_preferences') as batch_op:
        batch_op.add_column(sa.Column('sms', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('notification_deliveries') as batch_op:
        batch_op.create_index('ix_notification_deliveries_channel_target_created_at',
                              ['channel', 'target', 'created_at'], unique=False)


def downgrade():
    with op.batch_alter_table('notification_deliveries') as batch_op:
        batch_op.drop_index('ix_notification_deliveries_channel_target_created_at')
    with op.batch_alter_table('notification_preferences') as batch_op:
        batch_op.drop_column('sms')
