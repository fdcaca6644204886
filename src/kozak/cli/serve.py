"""`kozak serve`: one trained model behind the forward endpoint, as a standalone process.

The model comes from a checkpoint file or an experiment of the workspace (read once at start;
the server itself uses no database). Clients call `/deployment/<id>/forward` exactly as they
call a platform deployment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
import uvicorn

from kozak.cli.common import console, open_workspace
from kozak.cli.experiments import ProjectOption
from kozak.cli.server import is_loopback
from kozak.deploy.host import Served, SingleModel
from kozak.deploy.model import ServingModel
from kozak.deploy.tokens import hash_token
from kozak.errors import InvalidConfig
from kozak.experiments.service import experiment_checkpoint
from kozak.server.serving_app import create_serving_app
from kozak.settings import Settings


def _checkpoint_file(source: str, project: str, checkpoint: str) -> tuple[Path, str]:
    """(checkpoint file, URL id) for a file path or an experiment of the workspace."""
    as_path = Path(source)
    if as_path.is_file():
        return as_path, as_path.stem
    workspace = open_workspace()
    try:
        found = workspace.metadata.get_project(project)
        experiment = workspace.metadata.get_experiment(found.id, source)
        path = experiment_checkpoint(workspace, experiment, checkpoint)
    finally:
        workspace.metadata.close()
    return path, experiment.id


def serve_command(
    source: Annotated[str, typer.Argument(help="A checkpoint file, or an experiment id or name.")],
    project: ProjectOption = "Default",
    checkpoint: Annotated[str, typer.Option(help="best, last or an epoch number.")] = "best",
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="KOZAK_SERVE_TOKEN",
            help="Token clients must send (Bearer or Basic user name); required off loopback.",
        ),
    ] = None,
    deployment_id: Annotated[
        str | None, typer.Option("--id", help="The id in the URL (default: the experiment id).")
    ] = None,
    device: Annotated[
        str | None, typer.Option(help="cpu, cuda, cuda:1 (default: a GPU if any).")
    ] = None,
) -> None:
    """Serve one model at /deployment/<id>/forward, with no database (production, behind a proxy)."""
    if token is None and not is_loopback(host):
        raise InvalidConfig(
            f"refusing to serve {host} without a token: pass --token (or KOZAK_SERVE_TOKEN), or "
            "bind to 127.0.0.1"
        )
    path, default_id = _checkpoint_file(source, project, checkpoint)
    settings = Settings()
    model = ServingModel.load(path, device)
    backend = SingleModel(
        Served.of(model, settings.serve_max_rows, settings.serve_max_queue, settings.serve_timeout_s),
        deployment_id or default_id,
        token_hash=hash_token(token) if token else None,
        max_rows=settings.serve_max_rows,
        max_body_bytes=settings.serve_max_body_bytes,
    )
    url = f"http://{host}:{port}/deployment/{backend.deployment_id}/forward"
    console.print(f"Serving {path} (epoch {model.epoch}, on {model.device}) at [bold]{url}[/]")
    if token is None:
        console.print("[yellow]No token: any local process may call it.[/]")
    uvicorn.run(
        create_serving_app(backend),
        host=host,
        port=port,
        log_level=os.environ.get("KOZAK_LOG_LEVEL", "info"),
        timeout_graceful_shutdown=5,
    )
