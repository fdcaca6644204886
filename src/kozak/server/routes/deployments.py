"""Deployments of a project: create, list, enable/disable, re-key, delete, usage, try.

Management needs a project role (editors change, viewers look); calling a deployment needs
only its token and lives in `serving.py`. The service drops this process's serving cache on change.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response

from kozak.deploy import deployments
from kozak.deploy.host import DeploymentHost, answer_rows
from kozak.deploy.requests import request_rows
from kozak.server.deps import CurrentUser, ProjectEditor, ProjectViewer, WorkspaceDep
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.deployments import (
    DeploymentCreate,
    DeploymentPublic,
    DeploymentTry,
    DeploymentUpdate,
    DeploymentUsagePublic,
    DeploymentWithToken,
    ModelSchemaPublic,
)
from kozak.store.entities import Deployment

router = APIRouter(prefix="/projects/{project_id}/deployments", tags=["deployments"])


def _host(request: Request) -> DeploymentHost:
    host: DeploymentHost = request.app.state.serving
    return host


def _public(request: Request, deployment: Deployment) -> DeploymentPublic:
    return DeploymentPublic.of(deployment, str(request.base_url))


def _with_token(request: Request, deployment: Deployment, token: str) -> DeploymentWithToken:
    return DeploymentWithToken(**_public(request, deployment).model_dump(), token=token)


@router.get("")
def list_deployments(
    project: ProjectViewer,
    workspace: WorkspaceDep,
    request: Request,
    page: PageParams,
    q: NameSearch = None,
) -> Page[DeploymentPublic]:
    """A page of the project's deployments. Sorts: `created` (default), `updated`, `name`."""
    found = workspace.metadata.page_deployments(project.id, page, q)
    return Page.of_page(found, lambda d: _public(request, d))


@router.post("", status_code=201)
def create_deployment(
    body: DeploymentCreate,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    user: CurrentUser,
    request: Request,
) -> DeploymentWithToken:
    """Deploy an experiment's checkpoint; the answer holds the token, shown only this once."""
    experiment = workspace.metadata.get_experiment(project.id, body.experiment)
    deployment, token = deployments.create_deployment(
        workspace,
        experiment,
        checkpoint=body.checkpoint,
        name=body.name,
        enabled=body.enabled,
        created_by=user.name,
    )
    return _with_token(request, deployment, token)


@router.get("/{deployment_id}")
def get_deployment(
    deployment_id: str, project: ProjectViewer, workspace: WorkspaceDep, request: Request
) -> DeploymentPublic:
    """One deployment, by id or name."""
    return _public(request, deployments.get_deployment(workspace, project.id, deployment_id))


@router.patch("/{deployment_id}")
def update_deployment(
    deployment_id: str,
    body: DeploymentUpdate,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    request: Request,
) -> DeploymentPublic:
    """Enable, disable or rename a deployment."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    updated = deployments.update_deployment(
        workspace, deployment, cache=_host(request), name=body.name, enabled=body.enabled
    )
    return _public(request, updated)


@router.post("/{deployment_id}/token")
def regenerate_token(
    deployment_id: str, project: ProjectEditor, workspace: WorkspaceDep, request: Request
) -> DeploymentWithToken:
    """A new token for the deployment; the old one stops working at once."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    deployment, token = deployments.regenerate_token(workspace, deployment, cache=_host(request))
    return _with_token(request, deployment, token)


@router.delete("/{deployment_id}", status_code=204)
def delete_deployment(
    deployment_id: str, project: ProjectEditor, workspace: WorkspaceDep, request: Request
) -> Response:
    """Delete a disabled deployment (409 while it is enabled)."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    deployments.delete_deployment(workspace, deployment, cache=_host(request))
    return Response(status_code=204)


@router.get("/{deployment_id}/usage")
def deployment_usage(
    deployment_id: str,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    request: Request,
    hours: Annotated[float, Query(gt=0, le=24 * 31, description="The window, in hours.")] = 24,
) -> DeploymentUsagePublic:
    """Request counts and latencies per minute over the last `hours`."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    _host(request).flush_usage()
    return DeploymentUsagePublic.model_validate(
        deployments.usage_summary(workspace, deployment, hours=hours)
    )


@router.get("/{deployment_id}/schema")
async def deployment_schema(
    deployment_id: str, project: ProjectViewer, workspace: WorkspaceDep, request: Request
) -> ModelSchemaPublic:
    """What the deployment's rows must hold and what its predictions hold."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    served = await _host(request).served(deployment)
    return ModelSchemaPublic.model_validate(served.model.schema())


@router.post("/{deployment_id}/try")
async def try_deployment(
    deployment_id: str,
    body: DeploymentTry,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    request: Request,
) -> dict[str, Any]:
    """Predictions for a few rows, for the UI's test form (works while disabled too)."""
    deployment = deployments.get_deployment(workspace, project.id, deployment_id)
    host = _host(request)
    request_rows({"rows": body.rows}, max_rows=host.max_rows)
    served = await host.served(deployment)
    return answer_rows(served, body.rows, await served.predict(body.rows))
