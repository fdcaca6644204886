"""Peltarion's Data API for a project: create a dataset wrapper, upload raw files, poll, complete.

`<base>` is `/api/projects/{project}/data-api`, authenticated like the rest of the API (a user's
API token as `Authorization: Bearer`); the Datasets view shows it with a button for a token.
Clients written for Peltarion (`sidekick.DatasetClient`) use it unchanged.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool

from kozak.data import data_api
from kozak.server.deps import CurrentUser, ProjectEditor, WorkspaceDep
from kozak.server.routes.datasets import EditedDraft, ViewedDraft
from kozak.server.schemas.data_api import (
    UploadComplete,
    UploadCompleted,
    UploadStatus,
    UploadStatuses,
    WrapperCreate,
    WrapperCreated,
)
from kozak.server.schemas.datasets import DraftSummary, VersionSummary
from kozak.store.entities import DatasetVersion

router = APIRouter(prefix="/projects/{project_id}/data-api", tags=["data-api"])


_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            media: {"schema": {"type": "string", "format": "binary"}} for media in data_api.CONTENT_TYPES
        },
    }
}


@router.post("", status_code=201)
def create_wrapper(
    body: WrapperCreate, project: ProjectEditor, workspace: WorkspaceDep, user: CurrentUser
) -> WrapperCreated:
    """Start a dataset: a draft that the uploads go into."""
    draft = data_api.create_wrapper(
        workspace, project, body.name, description=body.description, created_by=user.name
    )
    return WrapperCreated(dataset_wrapper_id=draft.id, name=draft.name)


@router.post("/{draft_id}/upload", status_code=201, openapi_extra=_RAW_BODY)
async def upload(request: Request, draft: EditedDraft, workspace: WorkspaceDep) -> UploadStatus:
    """Upload one file as the raw body (text/csv, application/zip or application/npy)."""
    length = request.headers.get("content-length")
    found = await data_api.upload(
        workspace,
        draft,
        request.headers.get("content-type", ""),
        request.stream(),
        disposition=request.headers.get("content-disposition"),
        expected_size=int(length) if length and length.isdigit() else None,
    )
    return UploadStatus.of(found)


@router.get("/{draft_id}/uploads")
def list_uploads(draft: ViewedDraft, workspace: WorkspaceDep) -> UploadStatuses:
    """Every upload's status: PROCESSING, SUCCESS, or FAILED with its message."""
    found = data_api.list_uploads(workspace, draft)
    return UploadStatuses(upload_statuses=[UploadStatus.of(u) for u in found])


@router.post("/{draft_id}/upload_complete")
async def upload_complete(
    draft: EditedDraft,
    workspace: WorkspaceDep,
    body: Annotated[UploadComplete | None, Body()] = None,
) -> UploadCompleted:
    """Finish: the files become one draft, ready to save, or a version with `{"save": true}`."""
    options = body or UploadComplete()
    done = await run_in_threadpool(
        data_api.complete, workspace, draft, save=options.save, version_name=options.version_name
    )
    if isinstance(done, DatasetVersion):
        return UploadCompleted(dataset_wrapper_id=draft.id, draft=None, version=VersionSummary.of(done))
    return UploadCompleted(dataset_wrapper_id=draft.id, draft=DraftSummary.of(done), version=None)
