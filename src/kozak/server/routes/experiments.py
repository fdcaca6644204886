"""Experiments of a project: create (from a spec or the wizard), check, edit, run, results.

Work (train, resume, continue, evaluate) is queued as a job and answered with it (202); the
runner's workers pick it up and the event streams report its progress. Every experiment id in
a path is looked up inside the project, so another project's id is a 404.
"""

from __future__ import annotations

import shutil
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from kozak import report
from kozak.experiments import compare, lifecycle, listing, overview, setup
from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.interpret.report_sections import report_with_interpretation
from kozak.runner import jobs as queue
from kozak.server import pages, quick
from kozak.server.access import ProjectAccess
from kozak.server.deps import (
    BulkReadsDep,
    CurrentUser,
    LongWorkDep,
    ProjectEditor,
    ProjectViewer,
    RunnerDep,
    ViewerAccess,
    WorkspaceDep,
)
from kozak.server.paging import NameSearch, PageParams
from kozak.server.schemas import Page
from kozak.server.schemas.experiment_summaries import ExperimentSummary
from kozak.server.schemas.experiments import (
    ComparisonPublic,
    EpochPublic,
    EvaluationPublic,
    ExperimentCheck,
    ExperimentCheckPublic,
    ExperimentClone,
    ExperimentCompare,
    ExperimentContinue,
    ExperimentCreate,
    ExperimentEvaluate,
    ExperimentPublic,
    ExperimentUpdate,
    ExperimentWizard,
)
from kozak.server.schemas.jobs import JobPublic
from kozak.store.entities import Experiment, Project
from kozak.store.metadata import ExperimentFilter
from kozak.store.statuses import ExperimentStatus
from kozak.workspace import Workspace

router = APIRouter(prefix="/projects/{project_id}/experiments", tags=["experiments"])

MAX_IDS = 200
Checkpoint = Annotated[str, Query(pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N.")]
Subset = Annotated[str | None, Query(description="One subset; default all.")]


def _experiment(workspace: Workspace, project: Project, experiment_id: str) -> Experiment:
    return workspace.metadata.get_experiment(project.id, experiment_id)


def _public(workspace: Workspace, experiment: Experiment) -> ExperimentPublic:
    return ExperimentPublic.of(listing.overview(workspace, experiment.project_id, experiment.id))


def _safe_name(name: str) -> str:
    """A download's file name: ASCII only, since HTTP headers carry Latin-1 at most."""
    return (
        "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in name) or "experiment"
    )


@router.get("", response_model=Page[ExperimentSummary])
async def list_experiments(
    access: ViewerAccess,
    bulk: BulkReadsDep,
    page: PageParams,
    q: NameSearch = None,
    id: Annotated[
        list[Annotated[str, Query(max_length=64)]],
        Query(max_length=MAX_IDS, description=f"Only these experiments (at most {MAX_IDS})."),
    ] = [],  # noqa: B006  # FastAPI copies defaults
    status: Annotated[
        list[ExperimentStatus], Query(description="Only experiments with one of these statuses.")
    ] = [],  # noqa: B006  # FastAPI copies defaults
    dataset_version_id: Annotated[str | None, Query(max_length=64)] = None,
    parent_id: Annotated[
        str | None, Query(max_length=64, description="Only clones of this experiment.")
    ] = None,
    best_metric: Annotated[
        str | None, Query(max_length=200, description="Only experiments monitoring this metric.")
    ] = None,
    best_min: Annotated[
        float | None, Query(description="Only a best value (the monitored metric) at least this.")
    ] = None,
    best_max: Annotated[float | None, Query(description="Only a best value at most this.")] = None,
) -> Response:
    """A page of the project's experiments with status, job, progress and best metric.

    Sorts: `created` (default, oldest first), `updated`, `name`, `status`, `progress`,
    `best` (best first, whether the monitored metric is minimised or maximised), `epochs`,
    `params`; `-` in front reverses. Missing values (no best epoch yet) come last either way.
    """
    where = ExperimentFilter(
        q=q,
        ids=tuple(id),
        statuses=tuple(status),
        dataset_version_id=dataset_version_id,
        parent_id=parent_id,
        best_metric=best_metric,
        best_min=best_min,
        best_max=best_max,
    )
    body = await bulk.run(pages.experiment_page, access, page, where)
    return Response(body, media_type="application/json")


@router.post("", status_code=201)
def create_experiment(
    body: ExperimentCreate,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> ExperimentPublic:
    """A new experiment from a graph or preset and run settings; `run` also queues training."""
    experiment = setup.create_from_choices(workspace, project, body, runnable=body.run)
    if body.run:
        runner.submit(queue.enqueue_experiment_job(workspace, experiment, "train", created_by=user.id))
    return _public(workspace, _experiment(workspace, project, experiment.id))


@router.post("/wizard", status_code=201)
def create_from_wizard(
    body: ExperimentWizard, project: ProjectEditor, workspace: WorkspaceDep
) -> ExperimentPublic:
    """A new experiment from the wizard: dataset, version, subsets, and a preset or blank."""
    return _public(workspace, setup.create_from_wizard(workspace, project, body))


@router.post("/validate")
def validate_experiment(
    body: ExperimentCheck, project: ProjectViewer, workspace: WorkspaceDep
) -> ExperimentCheckPublic:
    """Check a graph and run settings against a version (shapes, issues); nothing is written."""
    report = setup.check_setup(workspace, project, body.dataset_version_id, body.graph, body.settings)
    return ExperimentCheckPublic.of_report(report)


@router.post("/compare")
def compare_experiments(
    body: ExperimentCompare, project: ProjectViewer, workspace: WorkspaceDep
) -> ComparisonPublic:
    """Metrics, settings and graph differences, and curves of two or more experiments."""
    return ComparisonPublic(**overview.compare_in_project(workspace, project.id, body.experiment_ids))


@router.get("/{experiment_id}")
async def get_experiment(
    experiment_id: str, access: ViewerAccess, workspace: WorkspaceDep
) -> ExperimentPublic:
    """One experiment with its graph, settings, job, progress and best metric."""
    # The caller's access and the read in one place, on the event loop for SQLite; a sync route
    # would make three thread trips (its project dependency, itself, the check of its answer).
    return await quick.read(workspace, _read_experiment, access, experiment_id)


def _read_experiment(
    workspace: Workspace, access: ProjectAccess, experiment_id: str
) -> ExperimentPublic:
    project = access.project(workspace)
    return ExperimentPublic.of(listing.overview(workspace, project.id, experiment_id))


@router.patch("/{experiment_id}")
def update_experiment(
    experiment_id: str, body: ExperimentUpdate, project: ProjectEditor, workspace: WorkspaceDep
) -> ExperimentPublic:
    """Rename it; change its graph or (merge-patch) its settings while it is `created`."""
    experiment = setup.edit_experiment(
        workspace,
        _experiment(workspace, project, experiment_id),
        name=body.name,
        graph=body.graph,
        settings=body.settings,
    )
    return _public(workspace, experiment)


@router.delete("/{experiment_id}", status_code=204)
def delete_experiment(experiment_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> None:
    """Delete it with its checkpoints and evaluations (refused while a job has it)."""
    lifecycle.delete_experiment(workspace, _experiment(workspace, project, experiment_id))


def _queue(
    workspace: Workspace,
    runner: RunnerDep,
    experiment: Experiment,
    kind: str,
    user: CurrentUser,
    payload: dict[str, object] | None = None,
) -> JobPublic:
    job = queue.enqueue_experiment_job(workspace, experiment, kind, payload=payload, created_by=user.id)
    runner.submit(job)
    return JobPublic.of(job)


@router.post("/{experiment_id}/run", status_code=202)
def run_experiment(
    experiment_id: str,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> JobPublic:
    """Queue its training (refused with the issues when the graph or settings cannot train)."""
    experiment = _experiment(workspace, project, experiment_id)
    setup.require_runnable(workspace, experiment)
    return _queue(workspace, runner, experiment, "train", user)


@router.post("/{experiment_id}/stop")
def stop_experiment(experiment_id: str, project: ProjectEditor, workspace: WorkspaceDep) -> JobPublic:
    """Stop its job: a queued one at once, a running one after the current batch."""
    return JobPublic.of(queue.stop_experiment(workspace, _experiment(workspace, project, experiment_id)))


@router.post("/{experiment_id}/resume", status_code=202)
def resume_experiment(
    experiment_id: str,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> JobPublic:
    """Queue training from its last checkpoint up to the planned epochs."""
    return _queue(workspace, runner, _experiment(workspace, project, experiment_id), "resume", user)


@router.post("/{experiment_id}/continue", status_code=202)
def continue_experiment(
    experiment_id: str,
    body: ExperimentContinue,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> JobPublic:
    """Queue `epochs` more epochs of training from its last checkpoint."""
    experiment = _experiment(workspace, project, experiment_id)
    return _queue(workspace, runner, experiment, "continue", user, {"epochs": body.epochs})


@router.post("/{experiment_id}/clone", status_code=201)
def clone_experiment(
    experiment_id: str, body: ExperimentClone, project: ProjectEditor, workspace: WorkspaceDep
) -> ExperimentPublic:
    """A copy with the same graph, settings and data, optionally starting from its weights."""
    experiment = _experiment(workspace, project, experiment_id)
    copy = lifecycle.clone_experiment(workspace, experiment, body.name, with_weights=body.with_weights)
    return _public(workspace, copy)


@router.get("/{experiment_id}/epochs")
def list_epochs(
    experiment_id: str, project: ProjectViewer, workspace: WorkspaceDep
) -> Page[EpochPublic]:
    """Every epoch's losses and metrics, in order."""
    experiment = _experiment(workspace, project, experiment_id)
    return Page.of([EpochPublic.of(e) for e in workspace.metadata.list_epochs(experiment.id)])


@router.get("/{experiment_id}/evaluation")
def get_evaluation(
    experiment_id: str,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    checkpoint: Checkpoint = "best",
    subset: Subset = None,
) -> EvaluationPublic:
    """The stored evaluation of a checkpoint: metrics, scatter and residuals per subset."""
    experiment = _experiment(workspace, project, experiment_id)
    return EvaluationPublic(**overview.evaluation_of(workspace, experiment, checkpoint, subset))


@router.post("/{experiment_id}/evaluate", status_code=202)
def evaluate_experiment(
    experiment_id: str,
    body: ExperimentEvaluate,
    project: ProjectEditor,
    workspace: WorkspaceDep,
    runner: RunnerDep,
    user: CurrentUser,
) -> JobPublic:
    """Queue an evaluation of a checkpoint on subsets (default all)."""
    experiment = _experiment(workspace, project, experiment_id)
    return _queue(workspace, runner, experiment, "evaluate", user, body.model_dump())


@router.get(
    "/{experiment_id}/predictions",
    response_class=FileResponse,
    responses={200: {"content": {"text/csv": {}}, "description": "Predictions as CSV."}},
)
async def download_predictions(
    experiment_id: str,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
    checkpoint: Checkpoint = "best",
    subset: Subset = None,
) -> FileResponse:
    """A CSV of the checkpoint's predictions on the version's rows (or one subset's)."""
    experiment = await run_in_threadpool(_experiment, workspace, project, experiment_id)
    name = f"{_safe_name(experiment.name)}-{checkpoint}{f'-{subset}' if subset else ''}.csv"
    path = await long_work.run(
        compare.export_predictions_to_temporary, workspace, experiment, name, subset, checkpoint
    )
    return FileResponse(
        path,
        media_type="text/csv",
        filename=name,
        background=BackgroundTask(shutil.rmtree, path.parent, ignore_errors=True),
    )


@router.get(
    "/{experiment_id}/report",
    response_class=HTMLResponse,
    responses={200: {"content": {"text/html": {}}, "description": "A self-contained HTML report."}},
)
async def download_report(
    experiment_id: str,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
    checkpoint: Checkpoint = "best",
    interpretation: Annotated[
        bool, Query(description="Add the filter motifs and the ATG motif effect (seconds more).")
    ] = True,
) -> HTMLResponse:
    """The self-contained HTML report (curves, evaluation plots, interpretation, settings, graph)."""
    experiment = await run_in_threadpool(_experiment, workspace, project, experiment_id)
    filename = f"{_safe_name(experiment.name)}-report.html"
    build = report_with_interpretation if interpretation else report.build_report
    return HTMLResponse(
        await long_work.run(build, workspace, experiment, checkpoint),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
