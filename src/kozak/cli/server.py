"""`kozak up`: start the platform server (API, web UI and local training workers).

This process runs the job runner; `--api-processes N` processes serve the API and the web UI on
one port (uvicorn's workers: each its own interpreter, so requests are served on N cores). They
read the settings from the `KOZAK_*` environment this process sets, and leave jobs to its runner.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any

import typer
import uvicorn
from fastapi import FastAPI

from kozak import accounts
from kozak.cli.common import AccessLog, LogLevel, console, uvicorn_logging
from kozak.errors import InvalidConfig
from kozak.examples.seed import seed_yeast_project
from kozak.runner import open_runner
from kozak.runner.local import settings_env
from kozak.server.app import create_app
from kozak.settings import Settings
from kozak.workspace import Workspace

SWITCH_INTERVAL_S = 0.0005


def is_loopback(host: str) -> bool:
    """Whether `host` (a name or address) only answers on this machine."""
    try:
        return all(
            ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None)
        )
    except (OSError, ValueError):
        return False


def up_command(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int | None, typer.Option(help="Training worker processes (default: KOZAK_WORKERS or 1).")
    ] = None,
    api_processes: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Processes serving the API (default: KOZAK_API_PROCESSES, else the cores, at most 4).",
        ),
    ] = None,
    example: Annotated[
        bool, typer.Option(help="Create the Yeast example project in a workspace without one.")
    ] = True,
    no_auth: Annotated[
        bool, typer.Option("--no-auth", help="No log-in; everyone is the admin (loopback only).")
    ] = False,
    log_level: LogLevel = "info",
    access_log: AccessLog = False,
) -> None:
    """Start the Kozak server: REST API under /api, the web UI at /, training workers."""
    overrides: dict[str, object] = {"workers": workers} if workers is not None else {}
    if api_processes is not None:
        overrides["api_processes"] = api_processes
    if no_auth:
        overrides["auth"] = False
    settings = Settings(**overrides)  # type: ignore[arg-type]
    if not settings.auth and not is_loopback(host):
        raise InvalidConfig(
            f"refusing to serve {host} without authentication: anyone on the network would be "
            "the admin; drop --no-auth (and KOZAK_AUTH=false) or bind to 127.0.0.1"
        )
    workspace = Workspace.open(settings)
    admin, password = accounts.ensure_admin(workspace)
    if example:
        with console.status("Preparing the Yeast example project (a simulated library)..."):
            made = seed_yeast_project(workspace, admin)
        if made is not None:
            console.print(f"Created the example project [bold]{made.name}[/].")
    url = f"http://{host}:{port}"
    console.print(
        f"Kozak on [bold]{url}[/] (API documentation: {url}/api/docs), "
        f"{settings.api_processes} API process{'es' if settings.api_processes > 1 else ''}"
    )
    if password is not None and settings.admin_password:
        console.print(
            f"Created the administrator [bold]{admin.name}[/] (password: KOZAK_ADMIN_PASSWORD)."
        )
    elif password is not None:  # the one place a random password is ever shown
        console.print(
            f"Created the administrator. Log in as [bold]{admin.name}[/] with password "
            f"[bold]{password}[/] (change it with `kozak users set-password {admin.name}`)."
        )
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        # Open event streams would hold shutdown forever; browsers reconnect with Last-Event-ID.
        "timeout_graceful_shutdown": 5,
        **uvicorn_logging(log_level, access_log),
    }
    try:
        with open_runner(workspace):
            if settings.api_processes == 1:
                uvicorn.run(api_app(settings), **common)
            else:
                with _environment(settings_env(settings)):  # what the API processes start with
                    uvicorn.run(
                        f"{__name__}:api_app", factory=True, workers=settings.api_processes, **common
                    )
    finally:
        workspace.metadata.close()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """`os.environ` with `values` set, and as it was again afterwards."""
    before = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def api_app(settings: Settings | None = None) -> FastAPI:
    """An API process's app: it runs no jobs (this command's runner does)."""
    # The event loop gives the interpreter lock up at every await; with request threads busy it
    # waited a whole switch interval (5 ms) each time to get it back, many times per request.
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return create_app(settings or Settings(), start_runner=False)
