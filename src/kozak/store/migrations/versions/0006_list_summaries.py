"""Lists page in SQL: experiment summaries on the row, indexes for the sorts and filters offered.

Adds to `experiments` what its list shows and sorts by (`epochs_planned`, `best_metric`,
`best_value`, `best_score`, `param_count`; see `kozak/store/summaries.py`), fills the first four
from each experiment's settings and best epoch, and indexes the sorts and filters of the lists
(experiments, jobs, projects, deployments). `param_count` starts empty for existing experiments:
the comparison infers it from the graph when it is missing.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

from kozak.store.summaries import best_summary, planned_epochs

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_INDEXES = [
    ("ix_experiments_project_created", "experiments", ["project_id", "created_at", "id"]),
    ("ix_experiments_project_updated", "experiments", ["project_id", "updated_at", "id"]),
    ("ix_experiments_project_status", "experiments", ["project_id", "status"]),
    ("ix_experiments_project_best", "experiments", ["project_id", "best_score", "id"]),
    ("ix_experiments_updated_at", "experiments", ["updated_at"]),
    ("ix_experiments_parent_id", "experiments", ["parent_id"]),
    ("ix_jobs_project_created", "jobs", ["project_id", "created_at", "id"]),
    ("ix_projects_created_at", "projects", ["created_at", "id"]),
    ("ix_deployments_project_created", "deployments", ["project_id", "created_at", "id"]),
]


def _backfill() -> None:
    bind = op.get_bind()
    experiments = sa.table(
        "experiments",
        sa.column("id", sa.String),
        sa.column("settings", sa.JSON),
        sa.column("best_epoch", sa.Integer),
        sa.column("epochs_planned", sa.Integer),
        sa.column("best_metric", sa.String),
        sa.column("best_value", sa.Float),
        sa.column("best_score", sa.Float),
    )
    epochs = sa.table(
        "epoch_metrics",
        sa.column("experiment_id", sa.String),
        sa.column("epoch", sa.Integer),
        sa.column("metrics", sa.JSON),
    )
    found = bind.execute(
        sa.select(experiments.c.id, experiments.c.settings, experiments.c.best_epoch, epochs.c.metrics)
        .select_from(experiments)
        .outerjoin(
            epochs,
            sa.and_(
                epochs.c.experiment_id == experiments.c.id, epochs.c.epoch == experiments.c.best_epoch
            ),
        )
    ).all()
    for experiment_id, settings, best_epoch, metrics in found:
        values = {
            "epochs_planned": planned_epochs(settings or {}),
            **best_summary(settings or {}, best_epoch, metrics),
        }
        bind.execute(sa.update(experiments).where(experiments.c.id == experiment_id).values(**values))


def upgrade() -> None:
    with op.batch_alter_table("experiments") as batch:
        batch.add_column(sa.Column("epochs_planned", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("best_metric", sa.String(200), nullable=True))
        batch.add_column(sa.Column("best_value", sa.Float, nullable=True))
        batch.add_column(sa.Column("best_score", sa.Float, nullable=True))
        batch.add_column(sa.Column("param_count", sa.BigInteger, nullable=True))
    _backfill()
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("experiments") as batch:
        for column in ("param_count", "best_score", "best_value", "best_metric", "epochs_planned"):
            batch.drop_column(column)
