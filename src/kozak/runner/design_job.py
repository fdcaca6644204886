"""Designs as jobs: `create_design` checks and queues one, the `design` job kind runs it.

Creating a design loads its models and resolves its start sequences at once, so a bad letter,
target or constraint is refused (4xx) before anything is queued; the resolved starts are stored
with the design. The job runs the search, appending a `design_round` event per round (every
design's prediction, for live box plots) and `design_status` events, keyed by the design's id in
the event log's subject column (`experiment_id`); a stop request ends it after its round, with
the results so far saved. The design's status is its job's.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from kozak.design.constraints import ConstraintSet
from kozak.design.engine import run_design
from kozak.design.objective import Evaluator
from kozak.design.records import design_experiments, open_scorers, save_result
from kozak.design.results import DesignResult
from kozak.design.settings import DesignSettings
from kozak.design.starts import StartSequences, resolve_starts
from kozak.design.state import DesignState
from kozak.design.strategies import STRATEGIES
from kozak.errors import InvalidConfig, invalid_config
from kozak.experiments.checkpoints import checkpoint_name
from kozak.runner.job_kind import ProjectJobContext, ProjectJobKind, describe
from kozak.store.entities import Design, Event, Job, Project, User
from kozak.store.names import free_name
from kozak.workspace import Workspace


def _validated(model: type[Any], value: Any, what: str) -> Any:
    try:
        return model.model_validate(value or {})
    except ValidationError as exc:
        raise invalid_config(exc, what) from None


def create_design(
    workspace: Workspace,
    project: Project,
    *,
    experiments: list[str],
    settings: dict[str, Any] | DesignSettings | None = None,
    starts: dict[str, Any] | StartSequences | None = None,
    checkpoint: str | int = "best",
    name: str | None = None,
    created_by: User | None = None,
    queue: bool = True,
) -> tuple[Design, Job | None]:
    """Check a design, store it with its resolved starts, and queue its job.

    Args:
        workspace: The workspace.
        project: Its project.
        experiments: Experiment ids or names (several: an ensemble).
        settings: `DesignSettings` (or its JSON).
        starts: `StartSequences` (or its JSON).
        checkpoint: best, last or an epoch of every experiment.
        name: The design's name; default `design-N`.
        created_by: Who asks: the design records their name (as datasets and deployments do),
            its job their id (as every job does).
        queue: Queue its job for a worker; without, the caller runs it (`execute_design`).

    Raises:
        InvalidConfig: Bad settings or starts, an unknown strategy, target or class.
        NotFound: An experiment that does not exist or has no such checkpoint.
        DataError: A start with a letter outside the alphabet (its row and letter named), too
            long for the models, or a dataset column that is missing.
    """
    if not isinstance(settings, DesignSettings):
        settings = _validated(DesignSettings, settings, "design settings")
    if not isinstance(starts, StartSequences):
        starts = _validated(StartSequences, starts, "start sequences")
    assert isinstance(settings, DesignSettings) and isinstance(starts, StartSequences)
    kind = checkpoint_name(checkpoint)
    chosen = design_experiments(workspace, project.id, experiments)
    scorers = open_scorers(workspace, chosen, kind, settings, device="cpu")
    STRATEGIES.get(settings.strategy)  # an unknown one fails listing the strategies
    evaluator = Evaluator(scorers, settings.objective)
    ConstraintSet(settings.constraints, evaluator.alphabet)
    version = None
    if starts.source == "dataset":
        ref = starts.dataset_version or chosen[0].dataset_version_id
        version = workspace.metadata.get_dataset_version_by_id(ref)
    names, sequences = resolve_starts(
        starts,
        feature=scorers[0].feature,
        letters=evaluator.alphabet.letters,
        window=evaluator.length,
        workspace=workspace,
        version=version,
    )
    encoded = scorers[0].encode(sequences)  # a bad letter fails here, naming row and letter
    if int(encoded.lengths.max()) > evaluator.length:
        row = int(encoded.lengths.argmax())
        raise InvalidConfig(
            f"start {row} ({names[row]}) has {int(encoded.lengths[row])} letters; the models read "
            f"at most {evaluator.length}",
            field="starts",
            row=row,
        )
    taken = {d.name for d in workspace.metadata.list_designs(project.id)}
    design = Design(
        project_id=project.id,
        name=name or free_name("design", taken),
        experiment_ids=[e.id for e in chosen],
        checkpoint=kind,
        settings=settings.model_dump(mode="json"),
        starts={
            "request": starts.model_dump(mode="json", exclude={"text", "sequences", "names"}),
            "names": names,
            "sequences": sequences,
        },
        created_by=created_by.name if created_by else "",
    )
    design = design.model_copy(update={"artifact_path": f"designs/{design.id}"})
    workspace.metadata.create_design(design)
    if not queue:
        return design, None
    job = workspace.metadata.enqueue_job(
        Job(
            project_id=project.id,
            kind="design",
            payload={"design_id": design.id},
            created_by=created_by.id if created_by else "",
        )
    )
    design = workspace.metadata.update_design(design.id, job_id=job.id)
    _emit(workspace, design, "design_status", {"status": "queued", "message": ""})
    return design, job


def _emit(workspace: Workspace, design: Design, kind: str, data: dict[str, Any]) -> None:
    workspace.metadata.append_event(
        Event(
            project_id=design.project_id,
            experiment_id=design.id,
            kind=kind,
            data={"design_id": design.id, **data},
        )
    )


def execute_design(
    workspace: Workspace,
    design: Design,
    stop: threading.Event | None = None,
    log: Callable[[str], None] = lambda _: None,
    device: str | None = None,
) -> DesignResult:
    """Run a stored design in this process, with its events, and store its result.

    Args:
        workspace: The workspace.
        design: The design (as `create_design` stored it).
        stop: Set it to end the run after its current round (the results so far are kept).
        log: Receives progress lines.
        device: Where the models run; default the GPU when there is one.
    """
    settings = DesignSettings.model_validate(design.settings)
    _emit(workspace, design, "design_status", {"status": "running", "message": ""})
    try:
        experiments = [
            workspace.metadata.get_experiment(design.project_id, e) for e in design.experiment_ids
        ]
        scorers = open_scorers(workspace, experiments, design.checkpoint, settings, device)
        model = scorers[0].model
        log(
            f"design {design.name}: {len(design.starts['sequences'])} starts, up to "
            f"{settings.rounds} rounds of {settings.strategy}, on {model.device} in "
            f"{model.precision.used}"
        )

        def on_round(state: DesignState, round_: int) -> None:
            predictions = [round(float(v), 6) for v in state.prediction]
            _emit(
                workspace,
                design,
                "design_round",
                {
                    "round": round_,
                    "rounds": settings.rounds,
                    "predictions": predictions,
                    "mean": sum(predictions) / len(predictions),
                    "active": int((~state.done).sum()),
                },
            )
            log(
                f"round {round_}: mean {sum(predictions) / len(predictions):.4g}, "
                f"{int((~state.done).sum())} still changing"
            )

        result = run_design(
            scorers,
            design.starts["sequences"],
            settings,
            names=design.starts["names"],
            models=[e.name for e in experiments],
            on_round=on_round,
            stop=stop,
        )
    except BaseException as error:
        _emit(workspace, design, "design_status", {"status": "failed", "message": describe(error)})
        raise
    save_result(workspace, design, result)
    status = "cancelled" if result.stopped else "completed"
    message = f"stopped after round {result.rounds}" if result.stopped else f"{result.rounds} rounds"
    log(f"design {design.name}: {message}, {result.seconds:.1f} s")
    _emit(workspace, design, "design_status", {"status": status, "message": message})
    return result


def _run(ctx: ProjectJobContext) -> str:
    design_id = str(ctx.job.payload["design_id"])
    design = ctx.workspace.metadata.get_design(ctx.job.project_id, design_id)
    result = execute_design(ctx.workspace, design, ctx.stop, ctx.log)
    return "cancelled" if result.stopped else "completed"


DESIGN = ProjectJobKind(_run)
