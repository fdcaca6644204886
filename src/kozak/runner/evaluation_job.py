"""The evaluate job kind: evaluate a checkpoint on subsets, then restore the experiment's status."""

from __future__ import annotations

from pydantic import Field

from kozak.errors import NotFound
from kozak.experiments.checkpoints import CHECKPOINT_PATTERN
from kozak.experiments.lifecycle import evaluate_experiment
from kozak.runner.job_kind import (
    JobContext,
    JobKind,
    JobPayload,
    checkpoint_exists,
    describe,
    payload_arguments,
)
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


class EvaluatePayload(JobPayload):
    """What to evaluate."""

    subsets: list[str] | None = Field(None, description="Subsets to evaluate; default all.")
    checkpoint: str = Field(
        "best", pattern=CHECKPOINT_PATTERN, description="best, last or epoch-N (any epoch of the run)."
    )


def _check_evaluable(workspace: Workspace, experiment: Experiment, args: EvaluatePayload) -> None:
    if not checkpoint_exists(workspace, experiment, args.checkpoint):
        raise NotFound(
            f"experiment {experiment.name!r} has no {args.checkpoint!r} checkpoint; run it first",
            experiment=experiment.name,
        )


def _evaluate(ctx: JobContext) -> str:
    args = EvaluatePayload.model_validate(payload_arguments(EvaluatePayload, ctx.job.payload))
    status = ctx.job.payload.get("previous_status", "completed")
    message = ctx.job.payload.get("previous_message", "")
    ctx.set_status("evaluating")
    try:
        report = evaluate_experiment(ctx.workspace, ctx.experiment, args.subsets, args.checkpoint)
    except BaseException as error:
        ctx.set_status(status, f"evaluation failed: {describe(error)}")
        raise
    subsets = ", ".join(report["subsets"])
    ctx.log(f"evaluated the {args.checkpoint} checkpoint (epoch {report['epoch']}) on {subsets}")
    ctx.set_status(status, message)
    return "completed"


EVALUATE = JobKind(_evaluate, EvaluatePayload, _check_evaluable, trains=False)
