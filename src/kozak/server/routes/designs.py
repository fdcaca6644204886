"""Designs of a project: create (queues its job), list, show, results, export, stop, delete,
live events.

Editors create, stop and delete; viewers look. Each route calls one library function.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from kozak.design import STRATEGIES, DesignResult, DesignSettings, designs_csv, designs_fasta
from kozak.design.records import delete_design, load_result
from kozak.design.starts import StartSequences
from kozak.errors import Conflict, KozakError
from kozak.runner.design_job import create_design
from kozak.runner.jobs import cancel_job
from kozak.server import streams
from kozak.server.deps import CurrentUser, ProjectEditor, ProjectViewer, WorkspaceDep
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.designs import DesignCreate, DesignPublic, DesignSchemaPublic
from kozak.server.streams import StreamStart
from kozak.store.entities import Design, Job
from kozak.store.statuses import JOB_ACTIVE
from kozak.workspace import Workspace

router = APIRouter(prefix="/projects/{project_id}/designs", tags=["designs"])


def _job(workspace: Workspace, design: Design) -> Job | None:
    if design.job_id is None:
        return None
    try:
        return workspace.metadata.get_job(design.job_id)
    except KozakError:
        return None


def _public(workspace: Workspace, design: Design) -> DesignPublic:
    return DesignPublic.of(design, _job(workspace, design))


@router.get("")
def list_designs(
    project: ProjectViewer, workspace: WorkspaceDep, page: PageParams, q: NameSearch = None
) -> Page[DesignPublic]:
    """A page of the project's designs with their jobs; sorts `created` (default, oldest
    first), `name`."""
    found = workspace.metadata.page_designs(project.id, page, q)
    return Page.of_page(found, lambda pair: DesignPublic.of(*pair))


@router.get("/schema")
def design_schema(_: ProjectViewer) -> DesignSchemaPublic:
    """JSON Schemas of the design settings and start sequences, the strategies, the defaults."""
    return DesignSchemaPublic(
        settings=DesignSettings.model_json_schema(),
        starts=StartSequences.model_json_schema(),
        strategies=STRATEGIES.names(),
        defaults=DesignSettings(),
    )


@router.post("", status_code=201)
def create(
    body: DesignCreate, project: ProjectEditor, workspace: WorkspaceDep, user: CurrentUser
) -> DesignPublic:
    """Check a design and queue it (its models are loaded and its starts read at once)."""
    design, _ = create_design(
        workspace,
        project,
        experiments=body.experiments,
        settings=body.settings,
        starts=body.starts,
        checkpoint=body.checkpoint,
        name=body.name,
        created_by=user,
    )
    return _public(workspace, design)


@router.get("/{design_id}")
def get_design(design_id: str, project: ProjectViewer, workspace: WorkspaceDep) -> DesignPublic:
    """One design, by id or name."""
    return _public(workspace, workspace.metadata.get_design(project.id, design_id))


@router.get("/{design_id}/result")
def get_result(design_id: str, project: ProjectViewer, workspace: WorkspaceDep) -> DesignResult:
    """The designs, their trajectories and every round's predictions (404 before a run ends)."""
    return load_result(workspace, workspace.metadata.get_design(project.id, design_id))


@router.get("/{design_id}/export", response_class=Response)
def export_design(
    design_id: str,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    format: Annotated[Literal["csv", "fasta"], Query(description="csv or fasta.")] = "csv",
    prefix: Annotated[str, Query(max_length=500, description="FASTA: letters before each.")] = "",
    suffix: Annotated[str, Query(max_length=500, description="FASTA: letters after each.")] = "",
    starts: Annotated[bool, Query(description="FASTA: the starts too.")] = False,
) -> Response:
    """The designs as a CSV table or a FASTA file ready to order (with fixed flanks)."""
    design = workspace.metadata.get_design(project.id, design_id)
    result = load_result(workspace, design)
    if format == "csv":
        body, media = designs_csv(result), "text/csv"
    else:
        body, media = designs_fasta(result, prefix, suffix, starts=starts), "text/x-fasta"
    filename = f"{design.name}.{format}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@router.post("/{design_id}/stop")
def stop_design(design_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> DesignPublic:
    """Stop a queued or running design (a running one after its current round)."""
    design = workspace.metadata.get_design(project.id, design_id)
    job = _job(workspace, design)
    if job is None or job.status not in JOB_ACTIVE:
        raise Conflict(f"design {design.name!r} is not queued or running", design=design.name)
    cancel_job(workspace, job.id)
    return _public(workspace, design)


@router.delete("/{design_id}", status_code=204)
def remove_design(design_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> Response:
    """Delete a design and its results (409 while it is queued or running)."""
    design = workspace.metadata.get_design(project.id, design_id)
    job = _job(workspace, design)
    if job is not None and job.status in JOB_ACTIVE:
        raise Conflict(
            f"design {design.name!r} is still {job.status}; stop it first", design=design.name
        )
    delete_design(workspace, design)
    return Response(status_code=204)


@router.get("/{design_id}/events", response_class=StreamingResponse, responses=streams.RESPONSES)
def design_events(
    design_id: str,
    request: Request,
    project: ProjectViewer,
    user: CurrentUser,
    workspace: WorkspaceDep,
    start: StreamStart,
) -> StreamingResponse:
    """The design's `design_status` and `design_round` events, live."""
    design = workspace.metadata.get_design(project.id, design_id)
    return streams.stream(request, workspace, user, project.id, start, design.id)
