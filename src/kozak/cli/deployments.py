"""`kozak deployments`: deploy experiments of the workspace, list, enable, re-key and delete.

The deployments are the platform's: a running `kozak up` serves them at
`/deployment/<id>/forward` (a change here reaches it within seconds).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from kozak.cli.common import console, open_workspace
from kozak.cli.experiments import ProjectOption
from kozak.deploy import deployments
from kozak.store.entities import Deployment
from kozak.workspace import Workspace

app = typer.Typer(help="Deployments: trained experiments as REST endpoints.", no_args_is_help=True)

DeploymentArgument = Annotated[str, typer.Argument(help="Deployment id or name.")]


def _find(workspace: Workspace, project: str, ref: str) -> Deployment:
    return deployments.get_deployment(workspace, workspace.metadata.get_project(project).id, ref)


def _show_token(deployment: Deployment, token: str) -> None:
    console.print(f"endpoint: /deployment/{deployment.id}/forward")
    console.print("token (store it now, it is not shown again):")
    console.print(token, soft_wrap=True, highlight=False)


@app.command("create")
def create(
    experiment: Annotated[str, typer.Argument(help="Experiment id or name.")],
    project: ProjectOption = "Default",
    checkpoint: Annotated[str, typer.Option(help="best, last or an epoch number.")] = "best",
    name: Annotated[str | None, typer.Option(help="Default: the experiment's name.")] = None,
    enabled: Annotated[bool, typer.Option(help="Answer requests at once.")] = True,
) -> None:
    """Deploy a checkpoint of an experiment and print its token (shown this once)."""
    workspace = open_workspace()
    found = workspace.metadata.get_experiment(workspace.metadata.get_project(project).id, experiment)
    deployment, token = deployments.create_deployment(
        workspace,
        found,
        checkpoint=checkpoint,
        name=name,
        enabled=enabled,
    )
    console.print(f"deployed [bold]{deployment.name}[/] ({deployment.id}), epoch {deployment.epoch}")
    _show_token(deployment, token)


@app.command("list")
def list_deployments(project: ProjectOption = "Default") -> None:
    """The project's deployments."""
    workspace = open_workspace()
    table = Table("name", "id", "experiment", "checkpoint", "epoch", "enabled", "token")
    for d in deployments.list_deployments(workspace, workspace.metadata.get_project(project).id):
        table.add_row(
            d.name, d.id, d.experiment_id or "(deleted)", d.checkpoint, str(d.epoch),
            "yes" if d.enabled else "no", d.token_prefix + "…",
        )  # fmt: skip
    console.print(table)


@app.command("enable")
def enable(deployment: DeploymentArgument, project: ProjectOption = "Default") -> None:
    """Let a deployment answer requests."""
    workspace = open_workspace()
    found = deployments.set_enabled(workspace, _find(workspace, project, deployment), True, cache=None)
    console.print(f"[bold]{found.name}[/] is enabled")


@app.command("disable")
def disable(deployment: DeploymentArgument, project: ProjectOption = "Default") -> None:
    """Make a deployment answer 403 (needed before deleting it)."""
    workspace = open_workspace()
    found = deployments.set_enabled(workspace, _find(workspace, project, deployment), False, cache=None)
    console.print(f"[bold]{found.name}[/] is disabled")


@app.command("token")
def token(deployment: DeploymentArgument, project: ProjectOption = "Default") -> None:
    """Replace a deployment's token (the old one stops working) and print the new one."""
    workspace = open_workspace()
    found, secret = deployments.regenerate_token(
        workspace, _find(workspace, project, deployment), cache=None
    )
    _show_token(found, secret)


@app.command("delete")
def delete(deployment: DeploymentArgument, project: ProjectOption = "Default") -> None:
    """Delete a disabled deployment and its copy of the weights."""
    workspace = open_workspace()
    found = _find(workspace, project, deployment)
    deployments.delete_deployment(workspace, found, cache=None)
    console.print(f"deleted [bold]{found.name}[/]")
