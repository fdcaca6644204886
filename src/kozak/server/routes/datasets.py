"""Dataset drafts (upload, edit, save) and the project's datasets and versions.

Every id in a path is looked up inside the project of the path, so an id from another project
is not found. Reading needs the viewer role, changing the editor role. Uploads are raw request
bodies (`PUT .../files/{filename}`), streamed to storage, never held in memory.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Query, Request
from pydantic import TypeAdapter, ValidationError
from starlette.concurrency import run_in_threadpool

from kozak.data import dataset_catalog, stored_drafts, uploads
from kozak.data.dataset_spec import DatasetSpec
from kozak.data.feature_spec import MAX_TEXT_LENGTH
from kozak.data.rows import RowQuery
from kozak.data.subsets import Condition, SubsetSpec
from kozak.data.versions import diff_versions
from kozak.errors import invalid_config
from kozak.server.deps import CurrentUser, LongWorkDep, ProjectEditor, ProjectViewer, WorkspaceDep
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.datasets import (
    DatasetPublic,
    DraftCreate,
    DraftPublic,
    DraftSave,
    DraftSummary,
    DraftUpdate,
    FeatureUpdate,
    OptionsUpdate,
    PreviewPublic,
    RowsPage,
    SubsetCount,
    UrlCreate,
    VersionDiff,
    VersionPublic,
    VersionSummary,
)
from kozak.store.entities import Dataset, DatasetVersion, Draft
from kozak.workspace import Workspace

router = APIRouter(prefix="/projects/{project_id}", tags=["datasets"])

Rows = Annotated[int, Query(ge=0, le=1000, description="Preview rows.")]
_CONDITIONS = TypeAdapter(list[Condition])


def row_query(
    sort: Annotated[
        str | None, Query(max_length=MAX_TEXT_LENGTH, description="Feature to sort by.")
    ] = None,
    descending: bool = False,
    where: Annotated[
        str | None,
        Query(
            max_length=MAX_TEXT_LENGTH,
            description='Conditions all rows must meet, as JSON: [{"feature", "op", "value"}].',
        ),
    ] = None,
    invalid: Annotated[bool, Query(description="Only rows some feature cannot read.")] = False,
) -> RowQuery:
    try:
        conditions = tuple(_CONDITIONS.validate_json(where)) if where else ()
    except ValidationError as exc:
        raise invalid_config(exc, "where") from None
    return RowQuery(sort=sort, descending=descending, where=conditions, invalid_only=invalid)


RowQueryParams = Annotated[RowQuery, Depends(row_query)]
Offset = Annotated[int, Query(ge=0, description="Position of the first row, from 0.")]
Limit = Annotated[int, Query(ge=1, le=1000, description="Rows per page.")]
Find = Annotated[int | None, Query(ge=1, description="A row number (from 1) whose position to report.")]


def _viewed_draft(draft_id: str, project: ProjectViewer, workspace: WorkspaceDep) -> Draft:
    return stored_drafts.get_draft(workspace, project, draft_id)


def _edited_draft(draft_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> Draft:
    return stored_drafts.get_draft(workspace, project, draft_id)


def _dataset(dataset: str, project: ProjectViewer, workspace: WorkspaceDep) -> Dataset:
    return workspace.metadata.get_dataset(project.id, dataset)


ViewedDraft = Annotated[Draft, Depends(_viewed_draft)]
EditedDraft = Annotated[Draft, Depends(_edited_draft)]
ViewedDataset = Annotated[Dataset, Depends(_dataset)]


def _version(version: str, dataset: ViewedDataset, workspace: WorkspaceDep) -> DatasetVersion:
    return workspace.metadata.get_dataset_version(dataset.id, version)


ViewedVersion = Annotated[DatasetVersion, Depends(_version)]


def _view(workspace: Workspace, draft: Draft, rows: int = 10, stats: bool = False) -> DraftPublic:
    return DraftPublic.of_view(stored_drafts.draft_view(workspace, draft, rows, stats=stats))


# Drafts
@router.post("/drafts", status_code=201)
def create_draft(
    body: DraftCreate, project: ProjectEditor, workspace: WorkspaceDep, user: CurrentUser
) -> DraftPublic:
    """Start a new dataset: upload files to it next."""
    draft = stored_drafts.create_draft(
        workspace, project, body.name, description=body.description, created_by=user.name
    )
    return _view(workspace, draft)


@router.get("/drafts")
def list_drafts(project: ProjectViewer, workspace: WorkspaceDep) -> Page[DraftSummary]:
    """The project's unsaved drafts, oldest first."""
    return Page.of([DraftSummary.of(d) for d in stored_drafts.list_drafts(workspace, project)])


@router.get("/drafts/{draft_id}")
def get_draft(
    draft: ViewedDraft, workspace: WorkspaceDep, rows: Rows = 10, stats: bool = False
) -> DraftPublic:
    """The draft as the Datasets view shows it: features, preview, live subset counts, warnings."""
    return _view(workspace, draft, rows, stats)


@router.patch("/drafts/{draft_id}")
def update_draft(body: DraftUpdate, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Rename the draft (the dataset it creates) or change its description."""
    updated = stored_drafts.update_draft(workspace, draft, name=body.name, description=body.description)
    return _view(workspace, updated)


@router.delete("/drafts/{draft_id}", status_code=204)
def delete_draft(draft: EditedDraft, workspace: WorkspaceDep) -> None:
    """Discard a draft and its uploaded files."""
    stored_drafts.delete_draft(workspace, draft)


_RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.put("/drafts/{draft_id}/files/{filename}", openapi_extra=_RAW_BODY)
async def upload_file(
    filename: str, request: Request, draft: EditedDraft, workspace: WorkspaceDep
) -> DraftPublic:
    """Upload a file as the raw request body (replacing one of the same name); columns are detected."""
    length = request.headers.get("content-length")
    expected = int(length) if length and length.isdigit() else None
    updated = await uploads.add_file_async(
        workspace, draft, filename, request.stream(), expected_size=expected
    )
    return await run_in_threadpool(_view, workspace, updated)


@router.post("/drafts/{draft_id}/urls")
async def add_url(
    body: UrlCreate, draft: EditedDraft, workspace: WorkspaceDep, long_work: LongWorkDep
) -> DraftPublic:
    """Download a file from a URL into the draft."""
    updated = await long_work.run(uploads.add_url, workspace, draft, body.url)
    return await run_in_threadpool(_view, workspace, updated)


@router.delete("/drafts/{draft_id}/files/{filename}")
def delete_file(filename: str, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Take a file (and its features) out of the draft."""
    return _view(workspace, uploads.remove_file(workspace, draft, filename))


@router.patch("/drafts/{draft_id}/features/{feature}")
def update_feature(
    feature: str, body: FeatureUpdate, draft: EditedDraft, workspace: WorkspaceDep
) -> DraftPublic:
    """Change a feature's label, type, sequence encoding or normalization."""
    encoding = body.encoding.model_dump(exclude_unset=True) if body.encoding else None
    updated = stored_drafts.update_feature(
        workspace,
        draft,
        feature,
        new_name=body.name,
        type=body.type,
        encoding=encoding,
        normalization=body.normalization,
        on_invalid=body.on_invalid,
    )
    return _view(workspace, updated)


@router.delete("/drafts/{draft_id}/features/{feature}")
def remove_feature(feature: str, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Leave a feature out of the dataset."""
    return _view(workspace, stored_drafts.remove_feature(workspace, draft, feature))


@router.post("/drafts/{draft_id}/subsets")
def add_subset(
    subset: Annotated[SubsetSpec, Body()], draft: EditedDraft, workspace: WorkspaceDep
) -> DraftPublic:
    """Add a random, filter or rank subset."""
    return _view(workspace, stored_drafts.add_subset(workspace, draft, subset))


@router.post("/drafts/{draft_id}/subsets/count")
def count_subset(
    subset: Annotated[SubsetSpec, Body()], draft: ViewedDraft, workspace: WorkspaceDep
) -> SubsetCount:
    """How many rows a subset definition would hold, without adding it."""
    return SubsetCount(**stored_drafts.count_subset(workspace, draft, subset))


@router.get("/drafts/{draft_id}/rows")
def draft_rows(
    draft: ViewedDraft,
    workspace: WorkspaceDep,
    query: RowQueryParams,
    offset: Offset = 0,
    limit: Limit = 200,
    find: Find = None,
) -> RowsPage:
    """A page of the draft's rows as imported, numbered from 1: sorted, filtered, invalid ones."""
    return RowsPage(**stored_drafts.draft_rows(workspace, draft, query, offset, limit, find))


@router.delete("/drafts/{draft_id}/subsets/{subset}")
def remove_subset(subset: str, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Delete a subset."""
    return _view(workspace, stored_drafts.remove_subset(workspace, draft, subset))


@router.patch("/drafts/{draft_id}/options")
def set_options(body: OptionsUpdate, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Choose the subset normalization statistics come from, and whether to drop missing rows."""
    options = body.model_dump(exclude_unset=True)
    return _view(workspace, stored_drafts.set_options(workspace, draft, **options))


@router.put("/drafts/{draft_id}/spec")
def replace_spec(spec: DatasetSpec, draft: EditedDraft, workspace: WorkspaceDep) -> DraftPublic:
    """Replace the whole spec: features, subsets and options."""
    return _view(workspace, stored_drafts.replace_spec(workspace, draft, spec))


@router.post("/drafts/{draft_id}/save", status_code=201)
def save_draft(body: DraftSave, draft: EditedDraft, workspace: WorkspaceDep) -> VersionPublic:
    """Save the draft as a new immutable version; the draft is then gone."""
    return VersionPublic.of(stored_drafts.save_draft(workspace, draft, body.version_name))


# Datasets and versions
@router.get("/datasets")
def list_datasets(
    project: ProjectViewer,
    workspace: WorkspaceDep,
    page: PageParams,
    q: NameSearch = None,
    version: Annotated[
        str | None,
        Query(max_length=64, description="Only the dataset holding this version (its id)."),
    ] = None,
) -> Page[DatasetPublic]:
    """A page of the project's datasets with their versions. Sorts: `created`, `name`."""
    found = dataset_catalog.page_datasets(workspace, project.id, page, q, version)
    return Page.of_page(found, lambda pair: DatasetPublic.of(*pair))


@router.get("/datasets/{dataset}")
def get_dataset(dataset: ViewedDataset, workspace: WorkspaceDep) -> DatasetPublic:
    """One dataset (by id or name) with its versions."""
    return DatasetPublic.of(dataset, workspace.metadata.list_dataset_versions(dataset.id))


@router.delete("/datasets/{dataset}", status_code=204)
def delete_dataset(dataset: str, project: ProjectEditor, workspace: WorkspaceDep) -> None:
    """Delete a dataset and all its versions; refused while an experiment uses one."""
    dataset_catalog.delete_dataset(workspace, project, dataset)


@router.get("/datasets/{dataset}/versions")
def list_versions(
    dataset: ViewedDataset, workspace: WorkspaceDep, page: PageParams
) -> Page[VersionSummary]:
    """A page of a dataset's versions. Sorts: `created` (default), `name`, `rows`."""
    found = workspace.metadata.page_dataset_versions(dataset.id, page)
    return Page.of_page(found, VersionSummary.of)


@router.get("/datasets/{dataset}/versions/{version}")
def get_version(version: ViewedVersion) -> VersionPublic:
    """One version: spec, statistics, subset counts and source files."""
    return VersionPublic.of(version)


@router.get("/datasets/{dataset}/versions/{version}/preview")
def preview_version(
    version: ViewedVersion,
    dataset: ViewedDataset,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    rows: Rows = 10,
) -> PreviewPublic:
    """The first rows of a version, decoded."""
    return PreviewPublic(**dataset_catalog.version_preview(workspace, project, dataset, version, rows))


@router.get("/datasets/{dataset}/versions/{version}/rows")
def version_rows(
    version: ViewedVersion,
    dataset: ViewedDataset,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    query: RowQueryParams,
    offset: Offset = 0,
    limit: Limit = 200,
    find: Find = None,
) -> RowsPage:
    """A page of a version's rows, numbered from 1, sorted and filtered by any feature."""
    found = dataset_catalog.version_rows(
        workspace, project, dataset, version, query, offset, limit, find
    )
    return RowsPage(**found)


@router.get("/datasets/{dataset}/versions/{version}/diff")
def diff_version(
    version: ViewedVersion,
    dataset: ViewedDataset,
    workspace: WorkspaceDep,
    against: Annotated[str, Query(description="The version to compare with (id or name).")],
) -> VersionDiff:
    """What changed from `against` to this version: features, encodings, subsets, row counts."""
    other = workspace.metadata.get_dataset_version(dataset.id, against)
    return VersionDiff.model_validate(diff_versions(other, version))


@router.post("/datasets/{dataset}/versions/{version}/draft", status_code=201)
def edit_version(
    dataset: str, version: str, project: ProjectEditor, workspace: WorkspaceDep, user: CurrentUser
) -> DraftPublic:
    """Start a draft from this version; saving it adds a version to the dataset."""
    draft = stored_drafts.draft_from_version(workspace, project, dataset, version, created_by=user.name)
    return _view(workspace, draft)
