"""Per-sequence explanations of an experiment: in-silico mutagenesis and gradient attributions.

`POST /projects/{p}/experiments/{e}/explain` answers an `Explanation` for at most
`MAX_SEQUENCES` sequences, sent or named as rows of a subset of the experiment's dataset (the
Evaluation view's scatter points). It computes and changes nothing, so a project's viewers may call it;
the work runs on the long-work threads. The route calls one library function.
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from kozak.interpret import Explanation, explain_experiment
from kozak.server.deps import LongWorkDep, ProjectViewer, WorkspaceDep
from kozak.server.schemas.explain import ExperimentExplain

router = APIRouter(prefix="/projects/{project_id}/experiments", tags=["interpretation"])


@router.post("/{experiment_id}/explain")
async def explain_sequences(
    experiment_id: str,
    body: ExperimentExplain,
    project: ProjectViewer,
    workspace: WorkspaceDep,
    long_work: LongWorkDep,
) -> Explanation:
    """Each sequence's ISM effects or attributions, letters × positions, in the user's
    coordinates (−n…−1 before the start codon for right-aligned sequences, else 1…n)."""
    experiment = await run_in_threadpool(workspace.metadata.get_experiment, project.id, experiment_id)
    return await long_work.run(
        explain_experiment, workspace, experiment, body.source(), body.settings(), body.checkpoint
    )
