"""A metadata database stopped at an old migration, with rows written the way that schema held them.

Migration tests upgrade to the revision before theirs, add rows through `schema_at`, then run
`upgrade_database` and check what the migration made of them. Columns a row leaves out take
the filler values below (where the old table has them), so a test names only what it is about.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from alembic import command
from sqlalchemy import MetaData, insert

from kozak.store.entities import utcnow
from kozak.store.sql import _alembic_config, make_engine

_FILLERS: dict[str, dict[str, Any]] = {
    "projects": {"description": "", "created_by": ""},
    "datasets": {"description": ""},
    "dataset_versions": {
        "name": "v1", "digest": "d", "row_count": 1, "spec": {}, "stats": {}, "sources": [],
        "subset_counts": {}, "artifact_path": "x",
    },
    "experiments": {
        "graph": {}, "settings": {}, "status": "created", "message": "", "best_epoch": None,
        "epochs_done": 0, "parent_id": None, "artifact_path": "x",
    },
}  # fmt: skip

AddRow = Callable[..., None]


@contextmanager
def schema_at(database_url: str, revision: str) -> Iterator[AddRow]:
    """Upgrade `database_url` to `revision` only; yield `add(table, **values)`, one transaction."""
    engine = make_engine(database_url)
    command.upgrade(_alembic_config(engine), revision)
    tables = MetaData()
    tables.reflect(engine)
    now = utcnow()
    try:
        with engine.begin() as conn:

            def add(table: str, **values: Any) -> None:
                columns = tables.tables[table].columns
                stamps = {c: now for c in ("created_at", "updated_at") if c in columns}
                fillers = {k: v for k, v in _FILLERS.get(table, {}).items() if k in columns}
                conn.execute(insert(tables.tables[table]).values({**stamps, **fillers, **values}))

            yield add
    finally:
        engine.dispose()
