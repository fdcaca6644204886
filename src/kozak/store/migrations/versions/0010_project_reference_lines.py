"""Projects hold reference lines (name, metric, value) drawn on their evaluation plots.

A JSON column on `projects` rather than a table: a project has a handful, they are read with
the project and replaced as a whole, and nothing queries them across projects. The paper's
r² 0.62 line, which the UI drew for experiments of the cuperus2017 presets, becomes a line of
every project that holds such an experiment.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

PAPER_LINE = {"name": "Paper (Cuperus 2017, test)", "metric": "pearson_r2", "value": 0.62}


def upgrade() -> None:
    op.add_column("projects", sa.Column("reference_lines", sa.JSON, nullable=False, server_default="[]"))
    projects = sa.table("projects", sa.column("id", sa.String), sa.column("reference_lines", sa.JSON))
    experiments = sa.table(
        "experiments", sa.column("project_id", sa.String), sa.column("graph", sa.JSON)
    )
    bind = op.get_bind()
    replicating = {
        project_id
        for project_id, graph in bind.execute(sa.select(experiments.c.project_id, experiments.c.graph))
        if isinstance(graph, dict) and str(graph.get("name", "")).startswith("cuperus2017")
    }
    for project_id in sorted(replicating):
        bind.execute(
            projects.update().where(projects.c.id == project_id).values(reference_lines=[PAPER_LINE])
        )


def downgrade() -> None:
    op.drop_column("projects", "reference_lines")
