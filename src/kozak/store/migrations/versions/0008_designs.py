"""Designs: model-guided sequence design runs.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "designs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column(
            "project_id",
            sa.String(32),
            sa.ForeignKey("projects.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("experiment_ids", sa.JSON, nullable=False),
        sa.Column("checkpoint", sa.String(50), nullable=False),
        sa.Column("settings", sa.JSON, nullable=False),
        sa.Column("starts", sa.JSON, nullable=False),
        sa.Column("job_id", sa.String(32), nullable=True),
        sa.Column("summary", sa.JSON, nullable=False),
        sa.Column("artifact_path", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("project_id", "name", name="uq_designs_project_name"),
    )


def downgrade() -> None:
    op.drop_table("designs")
