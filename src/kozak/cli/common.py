"""What every CLI command shares: the console, opening the workspace, rendering errors."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from kozak.errors import KozakError
from kozak.settings import Settings
from kozak.workspace import Workspace

console = Console()
err_console = Console(stderr=True)


def open_workspace() -> Workspace:
    """The workspace named by the environment (`KOZAK_HOME`, `KOZAK_DATABASE_URL`, ...)."""
    return Workspace.open(Settings())


def run_command(app: typer.Typer) -> None:
    """Run the app; a `KozakError` becomes one red line (plus details) and exit code 1."""
    try:
        app()
    except KozakError as exc:
        err_console.print(f"[bold red]error[/] [dim]({exc.code})[/]: {exc.message}")
        for key, value in exc.details.items():
            err_console.print(f"  [dim]{key}:[/] {value}")
        sys.exit(1)
