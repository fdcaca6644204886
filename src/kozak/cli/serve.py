"""`kozak serve`: one trained model behind the forward endpoint, as a standalone process.

The model comes from a checkpoint file or an experiment of the workspace (read once at start;
the server itself uses no database). Clients call `/deployment/<id>/forward` exactly as they
call a platform deployment. With `--workers N`, N processes share the port, each with its own
copy of the model and its share of the CPU threads; they learn what to serve from the
environment (`KOZAK_SERVE_OPTIONS`), as uvicorn starts them afresh.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any

import torch
import typer
import uvicorn
from fastapi import FastAPI

from kozak.cli.common import AccessLog, LogLevel, console, open_workspace, uvicorn_logging
from kozak.cli.experiments import ProjectOption
from kozak.cli.server import is_loopback
from kozak.deploy.host import Served, SingleModel
from kozak.deploy.model import ServingModel
from kozak.deploy.tokens import hash_token
from kozak.errors import InvalidConfig
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.server.serving_app import create_serving_app
from kozak.settings import Settings, usable_cores
from kozak.training.precision import Precision

_OPTIONS_ENV = "KOZAK_SERVE_OPTIONS"


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
    workers: Annotated[
        int, typer.Option(help="Server processes sharing the port, each with its own model.")
    ] = 1,
    precision: Annotated[
        Precision | None,
        typer.Option(help="auto, fp32, bf16 or fp16 (default: the run settings' precision)."),
    ] = None,
    log_level: LogLevel = "info",
    access_log: AccessLog = False,
) -> None:
    """Serve one model at /deployment/<id>/forward, with no database (production, behind a proxy)."""
    if token is None and not is_loopback(host):
        raise InvalidConfig(
            f"refusing to serve {host} without a token: pass --token (or KOZAK_SERVE_TOKEN), or "
            "bind to 127.0.0.1"
        )
    if workers < 1:
        raise InvalidConfig(f"--workers must be at least 1, not {workers}")
    path, default_id = _checkpoint_file(source, project, checkpoint)
    options = {
        "checkpoint": str(path),
        "device": device,
        "precision": precision,
        "deployment_id": deployment_id or default_id,
        "token_hash": hash_token(token) if token else None,
        # Workers split the cores rather than each spinning a thread on every one.
        "threads": max(1, usable_cores() // workers) if workers > 1 else None,
    }
    # a broken checkpoint fails here, before any worker
    model = ServingModel.load(path, device, precision)
    url = f"http://{host}:{port}/deployment/{options['deployment_id']}/forward"
    console.print(
        f"Serving {path} (epoch {model.epoch}, on {model.device} in {model.precision.used}: "
        f"{model.precision.reason}) at [bold]{url}[/]"
    )
    if token is None:
        console.print("[yellow]No token: any local process may call it.[/]")
    common: dict[str, Any] = {
        "host": host,
        "port": port,
        "timeout_graceful_shutdown": 5,
        **uvicorn_logging(log_level, access_log),
    }
    if workers == 1:
        uvicorn.run(_serving_app(options, model), **common)
        return
    os.environ[_OPTIONS_ENV] = json.dumps(options)
    uvicorn.run("kozak.cli.serve:worker_app", factory=True, workers=workers, **common)


def _serving_app(options: dict[str, Any], model: ServingModel | None = None) -> FastAPI:
    if options["threads"]:
        torch.set_num_threads(options["threads"])
    model = model or ServingModel.load(options["checkpoint"], options["device"], options["precision"])
    settings = Settings()
    backend = SingleModel(
        Served.of(model, settings.serve_max_rows, settings.serve_max_queue, settings.serve_timeout_s),
        options["deployment_id"],
        token_hash=options["token_hash"],
        max_rows=settings.serve_max_rows,
        max_body_bytes=settings.serve_max_body_bytes,
    )
    return create_serving_app(backend)


def worker_app() -> FastAPI:
    """The app of one of `--workers N` processes, from the options the command left for it."""
    return _serving_app(json.loads(os.environ[_OPTIONS_ENV]))
