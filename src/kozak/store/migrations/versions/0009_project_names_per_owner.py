"""Project names are unique per creator, not across the workspace.

A workspace-wide rule answered "already exists" for another user's project name, telling anyone
which names were taken. SQLite cannot drop a constraint in place: batch mode copies the table,
which `env.py` does with foreign keys off so the copy cascades into nothing.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The workspace-wide constraint as each database named it: PostgreSQL by its own rule, SQLite not
# at all (batch mode names it through this convention when it reflects the table).
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _global_name() -> str:
    return "projects_name_key" if op.get_bind().dialect.name == "postgresql" else "uq_projects_name"


def upgrade() -> None:
    with op.batch_alter_table("projects", naming_convention=NAMING) as batch:
        batch.drop_constraint(_global_name(), type_="unique")
        batch.create_unique_constraint("uq_projects_owner_name", ["created_by", "name"])
        batch.create_index("ix_projects_name", ["name"])


def downgrade() -> None:
    with op.batch_alter_table("projects", naming_convention=NAMING) as batch:
        batch.drop_index("ix_projects_name")
        batch.drop_constraint("uq_projects_owner_name", type_="unique")
        batch.create_unique_constraint(_global_name(), ["name"])
