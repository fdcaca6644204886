"""Deployments in a workspace: create from an experiment's checkpoint, enable, re-key, delete.

Creating a deployment copies the chosen checkpoint (`best`, `last` or `epoch-N`) to
`deployments/<id>/model.pt` in the artifact store and checks that it can be served; the token
is returned once and only its hash is kept. A deployment must be disabled before deletion, so
a live endpoint is never removed by accident.
"""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from kozak.deploy.model import ServingModel
from kozak.deploy.tokens import display_prefix, hash_token, new_token
from kozak.errors import Conflict, NotFound
from kozak.experiments.checkpoints import checkpoint_name, experiment_checkpoint
from kozak.store.entities import Deployment, Experiment, utcnow
from kozak.store.names import free_name
from kozak.training.checkpoint import load_checkpoint
from kozak.workspace import Workspace


def _local_folder(workspace: Workspace, deployment_id: str) -> Path:
    return workspace.settings.home / "deployments" / deployment_id


def changes_path(workspace: Workspace) -> Path:
    """A file that grows by a line whenever a deployment's record changes here.

    The processes serving deployments from this home (`kozak up --api-processes N`) compare its
    size with the size they saw when they read a record: a size only grows, so unlike a
    modification time it cannot miss two changes within one clock tick.
    """
    return workspace.settings.home / "deployments" / "changes"


def _announce(workspace: Workspace, deployment: Deployment) -> None:
    path = changes_path(workspace)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a", encoding="ascii") as changes:  # appends are atomic between processes
        changes.write(deployment.id + "\n")


def model_path(workspace: Workspace, deployment: Deployment) -> Path:
    """The deployment's checkpoint as a local file (fetched from the artifact store once)."""
    local = _local_folder(workspace, deployment.id) / "model.pt"
    if not local.exists():
        local.parent.mkdir(parents=True, exist_ok=True)
        workspace.artifacts.get_file(deployment.artifact_path, local)
    return local


def create_deployment(
    workspace: Workspace,
    experiment: Experiment,
    *,
    checkpoint: str | int = "best",
    name: str | None = None,
    enabled: bool = True,
    created_by: str = "",
) -> tuple[Deployment, str]:
    """Deploy a checkpoint of `experiment`; returns the deployment and its token (shown once).

    Raises:
        NotFound: If the experiment has no such checkpoint (run it first).
        AlreadyExists: If the project has a deployment called `name`.
    """
    kind = checkpoint_name(checkpoint)
    source = experiment_checkpoint(workspace, experiment, kind)
    loaded = load_checkpoint(source)
    ServingModel(loaded, "cpu")  # fails here, not on the first request, if it cannot serve
    taken = {d.name for d in workspace.metadata.list_deployments(experiment.project_id)}
    token = new_token()
    deployment = Deployment(
        project_id=experiment.project_id,
        experiment_id=experiment.id,
        name=name or free_name(experiment.name, taken),
        checkpoint=kind,
        epoch=loaded.epoch,
        token_hash=hash_token(token),
        token_prefix=display_prefix(token),
        enabled=enabled,
        created_by=created_by,
    )
    deployment = deployment.model_copy(update={"artifact_path": f"deployments/{deployment.id}/model.pt"})
    workspace.artifacts.put_file(source, deployment.artifact_path)
    try:
        return workspace.metadata.create_deployment(deployment), token
    except Exception:
        workspace.artifacts.delete(f"deployments/{deployment.id}")
        raise


def list_deployments(workspace: Workspace, project_id: str) -> list[Deployment]:
    """A project's deployments, oldest first."""
    return workspace.metadata.list_deployments(project_id)


def get_deployment(workspace: Workspace, project_id: str, ref: str) -> Deployment:
    """A deployment of the project by id or name.

    Raises:
        NotFound: If the project has none such (another project's id is not found either).
    """
    for deployment in workspace.metadata.list_deployments(project_id):
        if ref in (deployment.id, deployment.name):
            return deployment
    raise NotFound(f"no deployment {ref!r} in this project", deployment=ref)


class ServingCache(Protocol):
    """What a process serving deployments keeps of them (`DeploymentHost`), dropped on change."""

    def forget(self, deployment_id: str) -> None: ...


def _forget(workspace: Workspace, cache: ServingCache | None, deployment: Deployment) -> None:
    """Drop `deployment` from this process's `cache` and tell this home's other processes."""
    _announce(workspace, deployment)
    if cache is not None:
        cache.forget(deployment.id)


def update_deployment(
    workspace: Workspace,
    deployment: Deployment,
    *,
    cache: ServingCache | None,
    name: str | None = None,
    enabled: bool | None = None,
) -> Deployment:
    """Rename, enable or disable a deployment (a disabled one answers 403).

    Every change here takes effect at once in the process whose serving `cache` is given (None
    where this process serves nothing), in the other processes serving from this home (through
    `changes_path`) and, through the records' short lifetime, on other hosts.
    """
    changes = {k: v for k, v in (("name", name), ("enabled", enabled)) if v is not None}
    updated = workspace.metadata.update_deployment(deployment.id, **changes) if changes else deployment
    _forget(workspace, cache, updated)
    return updated


def set_enabled(
    workspace: Workspace, deployment: Deployment, enabled: bool, *, cache: ServingCache | None
) -> Deployment:
    """Enable or disable a deployment (a disabled one answers 403)."""
    return update_deployment(workspace, deployment, cache=cache, enabled=enabled)


def regenerate_token(
    workspace: Workspace, deployment: Deployment, *, cache: ServingCache | None
) -> tuple[Deployment, str]:
    """Replace the deployment's token; the old one stops working at once."""
    token = new_token()
    updated = workspace.metadata.update_deployment(
        deployment.id, token_hash=hash_token(token), token_prefix=display_prefix(token)
    )
    _forget(workspace, cache, updated)
    return updated, token


def delete_deployment(
    workspace: Workspace, deployment: Deployment, *, cache: ServingCache | None
) -> None:
    """Delete a disabled deployment, its weights and its usage.

    Raises:
        Conflict: If it is enabled; disable it first.
    """
    if deployment.enabled:
        raise Conflict(
            f"deployment {deployment.name!r} is enabled; disable it before deleting it",
            deployment=deployment.id,
        )
    workspace.metadata.delete_deployment(deployment.id)
    _forget(workspace, cache, deployment)
    workspace.artifacts.delete(f"deployments/{deployment.id}")
    shutil.rmtree(_local_folder(workspace, deployment.id), ignore_errors=True)


def usage_summary(workspace: Workspace, deployment: Deployment, *, hours: float = 24) -> dict[str, Any]:
    """Totals and per-minute requests, errors, rows and latencies over the last `hours`."""
    rows = workspace.metadata.list_deployment_usage(
        deployment.id, since=utcnow() - timedelta(hours=hours)
    )
    requests = sum(r.requests for r in rows)
    return {
        "requests": requests,
        "errors": sum(r.errors for r in rows),
        "rows": sum(r.rows for r in rows),
        "mean_latency_ms": sum(r.latency_ms_sum for r in rows) / requests if requests else None,
        "max_latency_ms": max((r.latency_ms_max for r in rows), default=None),
        "minutes": [
            {
                "minute": r.minute.isoformat(),
                "requests": r.requests,
                "errors": r.errors,
                "rows": r.rows,
                "mean_latency_ms": r.latency_ms_sum / r.requests if r.requests else 0.0,
                "max_latency_ms": r.latency_ms_max,
            }
            for r in rows
        ],
    }
