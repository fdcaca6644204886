"""Users, API tokens, browser sessions, project members, the job queue, events and drafts.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _fk(column: str, target: str, ondelete: str = "CASCADE", **kwargs: Any) -> sa.Column:
    return sa.Column(column, sa.String(32), sa.ForeignKey(target, ondelete=ondelete), **kwargs)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.String(32), primary_key=True),
        _fk("user_id", "users.id", nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("prefix", sa.String(32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.String(64), primary_key=True),
        _fk("user_id", "users.id", nullable=False, index=True),
        sa.Column("csrf_token", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False, index=True),
    )
    op.create_table(
        "project_members",
        _fk("project_id", "projects.id", primary_key=True),
        _fk("user_id", "users.id", primary_key=True, index=True),
        sa.Column("role", sa.String(20), nullable=False),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        _fk("project_id", "projects.id", nullable=False, index=True),
        _fk("experiment_id", "experiments.id", ondelete="SET NULL", nullable=True, index=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("worker_id", sa.String(200), nullable=True),
        sa.Column("lease_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("log", sa.Text, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Index("ix_jobs_status_created_at", "status", "created_at"),
        sa.Index(
            "uq_jobs_active_experiment",
            "experiment_id",
            unique=True,
            sqlite_where=sa.text("status IN ('queued', 'running')"),
            postgresql_where=sa.text("status IN ('queued', 'running')"),
        ),
    )
    op.create_table(
        "events",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        _fk("project_id", "projects.id", nullable=False),
        sa.Column("experiment_id", sa.String(32), nullable=True, index=True),
        sa.Column("kind", sa.String(50), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Index("ix_events_project_id_id", "project_id", "id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "drafts",
        sa.Column("id", sa.String(32), primary_key=True),
        _fk("project_id", "projects.id", nullable=False, index=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        _fk("dataset_id", "datasets.id", nullable=True, index=True),
        sa.Column("files", sa.JSON, nullable=False),
        sa.Column("spec", sa.JSON, nullable=True),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("drafts")
    op.drop_table("events")
    op.drop_table("jobs")
    op.drop_table("project_members")
    op.drop_table("browser_sessions")
    op.drop_table("api_tokens")
    op.drop_table("users")
