"""What every CLI command shares: the console, opening the workspace, rendering errors."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer
from rich.console import Console

from kozak.errors import InvalidConfig, KozakError
from kozak.settings import Settings
from kozak.workspace import Workspace

console = Console()
err_console = Console(stderr=True)

# A line per request costs the server about 0.6 ms of CPU (measured on a one-row forward), a
# quarter of the request: off unless asked for; a proxy in front usually logs requests anyway.
AccessLog = Annotated[
    bool, typer.Option("--access-log", help="Log every request (method, path, status) on the terminal.")
]
LogLevel = Annotated[
    str,
    typer.Option(envvar="KOZAK_LOG_LEVEL", help="Server log level: debug, info, warning or error."),
]


def uvicorn_logging(log_level: str, access_log: bool) -> dict[str, Any]:
    """uvicorn's logging options from the commands' `--log-level` and `--access-log`."""
    levels = ("debug", "info", "warning", "error")
    if log_level.lower() not in levels:
        raise InvalidConfig(f"--log-level must be one of {', '.join(levels)}, not {log_level!r}")
    return {"log_level": log_level.lower(), "access_log": access_log}


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
