"""`kozak db`: inspect and upgrade the metadata database schema."""

from __future__ import annotations

import typer

from kozak.cli.common import console
from kozak.settings import Settings
from kozak.store.sql import upgrade_database

app = typer.Typer(help="Manage the metadata database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade() -> None:
    """Apply pending migrations to the configured database."""
    url = Settings().database_url
    revision = upgrade_database(url)
    console.print(f"database at revision [bold]{revision}[/]")
