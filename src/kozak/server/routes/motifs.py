"""Per-model interpretation of an experiment: first-layer filters as motifs (JSON or a MEME
file), their TomTom matches in a motif database the caller sends, and motif effects.

Viewers may call them: they compute an answer and change nothing. Each runs on the long-work
threads (a few seconds on a CPU at the default sample sizes, which the settings bound).
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from kozak.interpret.filters import FilterAnalysis
from kozak.interpret.meme import Comparison, compare, parse_meme, to_meme
from kozak.interpret.motif_effects import MotifEffects
from kozak.interpret.per_model import experiment_filters, experiment_motif_effects
from kozak.server.deps import LongWorkDep, ProjectViewer, WorkspaceDep
from kozak.server.schemas.motifs import (
    FilterCompareRequest,
    FilterMotifsPublic,
    FilterMotifsRequest,
    FiltersRequest,
    MotifEffectsRequest,
)
from kozak.store.entities import Experiment, Project
from kozak.workspace import Workspace

router = APIRouter(prefix="/projects/{project_id}/experiments/{experiment_id}", tags=["interpretation"])


def _experiment(workspace: Workspace, project: Project, experiment_id: str) -> Experiment:
    return workspace.metadata.get_experiment(project.id, experiment_id)


async def _filters(
    workspace: Workspace,
    project: Project,
    experiment_id: str,
    body: FiltersRequest,
    long_work: LongWorkDep,
) -> FilterAnalysis:
    experiment = await run_in_threadpool(_experiment, workspace, project, experiment_id)
    return await long_work.run(
        lambda: experiment_filters(workspace, experiment, body.settings, checkpoint=body.checkpoint)
    )


@router.post("/filters")
async def filter_motifs(
    experiment_id: str,
    body: FilterMotifsRequest,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
) -> FilterMotifsPublic:
    """The first convolution's filters as motifs: matrices, information, influence, correlation,
    and the logos of the `logos` most influential."""
    analysis = await _filters(workspace, project, experiment_id, body, long_work)
    return await long_work.run(_with_logos, analysis, body.logos)


def _with_logos(analysis: FilterAnalysis, count: int) -> FilterMotifsPublic:
    from kozak.interpret.plots import motif_logo, svg  # matplotlib only when logos are asked for

    drawn = [m for m in analysis.ranked() if m.sites > 0][:count]
    logos = {m.name: svg(motif_logo(m, analysis.letters)) for m in drawn}
    return FilterMotifsPublic(**analysis.model_dump(), logos=logos)


@router.post(
    "/filters.meme",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/plain": {}}, "description": "The motifs in MEME format."}},
)
async def filter_motifs_meme(
    experiment_id: str,
    body: FiltersRequest,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
) -> PlainTextResponse:
    """The filters with sites as a MEME file, most influential first."""
    analysis = await _filters(workspace, project, experiment_id, body, long_work)
    return PlainTextResponse(
        to_meme(analysis), headers={"Content-Disposition": 'attachment; filename="filters.meme"'}
    )


@router.post("/filters/compare")
async def compare_filter_motifs(
    experiment_id: str,
    body: FilterCompareRequest,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
) -> Comparison:
    """Each filter's best matches in the motif database sent (TomTom, through memelite)."""
    database = await long_work.run(parse_meme, body.database)  # a bad file fails before the work
    analysis = await _filters(workspace, project, experiment_id, body, long_work)
    return await long_work.run(lambda: compare(analysis, database, best=body.matches))


@router.post("/motif-effects")
async def motif_effects(
    experiment_id: str,
    body: MotifEffectsRequest,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
) -> MotifEffects:
    """A motif's mean predicted effect by position and frame, inserted and deleted."""
    experiment = await run_in_threadpool(_experiment, workspace, project, experiment_id)
    return await long_work.run(
        lambda: experiment_motif_effects(
            workspace, experiment, body.settings, checkpoint=body.checkpoint
        )
    )
