"""Creating, running, evaluating, cloning and continuing experiments in a workspace.

A run trains in a local work folder (`<home>/work/<experiment id>`) and copies each checkpoint
it writes to the artifact store (`experiments/<id>/checkpoints/{best,last}.pt`); every epoch's
metrics go to the metadata store as they happen; the status says where the run stands
(created, running, completed, stopped, failed — with the error's message).
"""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.versions import load_version
from kozak.errors import Conflict, InvalidConfig, KozakError, NotFound
from kozak.evaluation import (
    classification_metrics,
    multilabel_metrics,
    regression_metrics,
    residual_histogram,
    scatter_data,
)
from kozak.experiments.checkpoints import (
    checkpoint_path,
    experiment_checkpoint,
    local_checkpoint,
    work_dir,
)
from kozak.graph.feature_shapes import feature_infos
from kozak.graph.graph_spec import GraphSpec
from kozak.graph.shapes import infer
from kozak.store.entities import DatasetVersion, EpochMetrics, Experiment
from kozak.store.names import free_name
from kozak.store.statuses import JOB_ACTIVE
from kozak.training import ModelCheckpoint, RunSettings, build_model, train
from kozak.training.callbacks import Callback, Metrics, RunControl
from kozak.training.checkpoint import load_checkpoint, load_state_strict
from kozak.training.data import subset_rows
from kozak.training.predict import predict
from kozak.workspace import Workspace

# The checkpoints a run keeps: best, last and every epoch (`epoch-N`).


def create_experiment(
    workspace: Workspace,
    project: str,
    name: str,
    version: DatasetVersion,
    graph: GraphSpec,
    settings: RunSettings,
    *,
    parent_id: str | None = None,
) -> Experiment:
    """Record a new experiment (not yet run) of `graph` on `version` with `settings`."""
    found = workspace.metadata.get_project(project)
    experiment = Experiment(
        project_id=found.id,
        name=name,
        dataset_version_id=version.id,
        graph=graph.model_dump(mode="json"),
        settings=settings.model_dump(mode="json"),
        parent_id=parent_id,
        param_count=parameter_count(graph, version),
    )
    experiment = experiment.model_copy(update={"artifact_path": f"experiments/{experiment.id}"})
    return workspace.metadata.create_experiment(experiment)


def parameter_count(graph: GraphSpec, version: DatasetVersion) -> int | None:
    """Trainable parameters of `graph` on `version`'s features; None when shapes do not resolve."""
    try:
        return infer(graph, feature_infos(version)).total_params
    except KozakError:
        return None


def get_experiment(workspace: Workspace, project: str, ref: str) -> Experiment:
    """An experiment of `project` by id or name."""
    return workspace.metadata.get_experiment(workspace.metadata.get_project(project).id, ref)


def list_experiments(workspace: Workspace, project: str) -> list[Experiment]:
    """The project's experiments, oldest first; none for an unknown project."""
    try:
        found = workspace.metadata.get_project(project)
    except NotFound:
        return []
    return workspace.metadata.list_experiments(found.id)


def version_of(workspace: Workspace, experiment: Experiment) -> DatasetVersion:
    """The dataset version an experiment trains on."""
    return workspace.metadata.get_dataset_version_by_id(experiment.dataset_version_id)


def free_experiment_name(workspace: Workspace, project: str, base: str) -> str:
    """`base`, or `base-2`, `base-3`, … whichever the project does not have yet."""
    return free_name(base, {e.name for e in list_experiments(workspace, project)})


class _Recorder(Callback):
    """Logs each epoch to the metadata store and copies checkpoints to the artifact store."""

    name = "recorder"
    order = 200  # after ModelCheckpoint, so the files it reports exist

    def __init__(
        self, workspace: Workspace, experiment: Experiment, monitor: str, mode: str = "min"
    ) -> None:
        self.workspace = workspace
        self.experiment = experiment
        self.monitor = monitor
        self.mode = mode
        self.best: float | None = None
        self.best_epoch: int | None = experiment.best_epoch

    def on_train_start(self, run: RunControl, epoch: int) -> None:
        # A run killed between writing a checkpoint and logging its epoch would miss that row.
        self.workspace.metadata.log_epochs(
            [
                EpochMetrics(experiment_id=self.experiment.id, epoch=int(m["epoch"]), metrics=dict(m))
                for m in run.history
            ]
        )

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        value = metrics.get(self.monitor)
        better = self.best is None or (
            value is not None and (value < self.best if self.mode == "min" else value > self.best)
        )
        if value is not None and better:
            self.best, self.best_epoch = value, epoch
        self.workspace.metadata.end_epoch(
            EpochMetrics(experiment_id=self.experiment.id, epoch=epoch, metrics=dict(metrics)),
            self.best_epoch,
        )

    def on_checkpoint(self, run: RunControl, path: Path, kind: str) -> None:
        self.workspace.artifacts.put_file(path, checkpoint_path(self.experiment, kind))

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch = state.get("best"), state.get("best_epoch")


def run_experiment(
    workspace: Workspace,
    experiment: Experiment,
    callbacks: Sequence[Callback] = (),
    *,
    resume: bool = False,
    stop_event: threading.Event | None = None,
) -> Experiment:
    """Train (or, with `resume`, continue from the last checkpoint), then evaluate the best epoch.

    Raises:
        KozakError: whatever stopped the run (recorded as status `failed` with its message).
    """
    version = version_of(workspace, experiment)
    content = load_version(workspace, version)
    graph = GraphSpec.from_data(experiment.graph)
    settings = RunSettings.from_data(experiment.settings)
    resume_from = local_checkpoint(workspace, experiment, "last") if resume else None
    if resume and resume_from is None:
        raise InvalidConfig(f"experiment {experiment.name!r} has no checkpoint to resume from")
    model = build_model(graph, content, seed=settings.seed)
    warm_start = local_checkpoint(workspace, experiment, "init")
    if warm_start is not None and resume_from is None:
        load_state_strict(model, load_checkpoint(warm_start).data["model_state"])
    metadata = workspace.metadata
    metadata.update_experiment(experiment.id, status="running", message="")
    monitor = settings.early_stopping.monitor
    mode = settings.early_stopping.mode
    recorder = _Recorder(workspace, experiment, monitor, mode)
    checkpoints = ModelCheckpoint(
        work_dir(workspace, experiment), monitor=monitor, mode=mode, keep_epochs=True
    )
    try:
        result = train(
            model, content, graph, settings, [*callbacks, checkpoints, recorder],
            resume_from=resume_from, stop_event=stop_event, dataset_version_id=version.id,
        )  # fmt: skip
    except KozakError as exc:
        metadata.update_experiment(experiment.id, status="failed", message=exc.message)
        raise
    except Exception as exc:  # a bug or an OS error: the run still must not stay "running"
        metadata.update_experiment(
            experiment.id, status="failed", message=f"{type(exc).__name__}: {exc}"
        )
        raise
    except KeyboardInterrupt:
        metadata.update_experiment(experiment.id, status="stopped", message="interrupted")
        raise
    status = "stopped" if result.stop_reason == "stopped" else "completed"
    message = "" if result.stop_reason == "completed" else result.stop_reason.replace("_", " ")
    done = metadata.update_experiment(
        experiment.id, status=status, message=message, best_epoch=result.best_epoch or None
    )
    if status == "completed":
        evaluate_experiment(workspace, done)
    return done


def evaluate_experiment(
    workspace: Workspace,
    experiment: Experiment,
    subsets: Sequence[str] | None = None,
    checkpoint: str = "best",
) -> dict[str, Any]:
    """Metrics and plot data of a checkpoint on subsets (default: all), stored as JSON too.

    Returns:
        `{"checkpoint", "epoch", "subsets": {subset: {target: {metrics, scatter, residuals}}}}`.
    """
    loaded = load_checkpoint(experiment_checkpoint(workspace, experiment, checkpoint))
    model = loaded.build_model()
    content = load_version(workspace, version_of(workspace, experiment))
    chosen = list(subsets) if subsets is not None else list(content.masks)
    precision = loaded.run_settings.precision
    report: dict[str, Any] = {"checkpoint": checkpoint, "epoch": loaded.data["epoch"], "subsets": {}}
    for subset in chosen:
        predictions = predict(model, content, subset_rows(content, subset), precision=precision)
        report["subsets"][subset] = {
            target: _evaluate_target(content.feature(target).spec, true, pred)
            for target, (true, pred) in predictions.items()
        }
    workspace.artifacts.put_bytes(
        f"{experiment.artifact_path}/evaluation/{checkpoint}.json", json.dumps(report).encode()
    )
    # The metrics alone, for comparisons of many experiments (no plot data to parse).
    workspace.artifacts.put_bytes(
        f"{experiment.artifact_path}/evaluation/{checkpoint}.metrics.json",
        json.dumps(metrics_of(report)).encode(),
    )
    return report


def metrics_of(evaluation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """An evaluation's metrics alone: `{subset: {target: metrics}}`."""
    return {
        subset: {target: found["metrics"] for target, found in targets.items()}
        for subset, targets in evaluation["subsets"].items()
    }


def stored_metrics(
    workspace: Workspace, experiment: Experiment, checkpoint: str = "best"
) -> dict[str, dict[str, Any]]:
    """The metrics of the stored evaluation of a checkpoint, `{}` when there is none.

    Reads the small metrics file written beside each evaluation; evaluations stored before
    it existed are read whole.
    """
    path = f"{experiment.artifact_path}/evaluation/{checkpoint}.metrics.json"
    if workspace.artifacts.exists(path):
        found: dict[str, dict[str, Any]] = json.loads(workspace.artifacts.get_bytes(path))
        return found
    try:
        return metrics_of(stored_evaluation(workspace, experiment, checkpoint))
    except NotFound:
        return {}


def _evaluate_target(spec: FeatureSpec, true: np.ndarray, pred: np.ndarray) -> dict[str, Any]:
    """Metrics (and plot data) for one target, chosen by its type."""
    if spec.type is FeatureType.CATEGORICAL:
        classes = list(spec.categories or ())
        return {"metrics": classification_metrics(true.astype(np.int64), pred, classes)}
    if spec.type is FeatureType.MULTILABEL:
        return {"metrics": multilabel_metrics(true, pred, list(spec.categories or ()))}
    return {
        "metrics": regression_metrics(true, pred),
        "scatter": scatter_data(true, pred),
        "residuals": residual_histogram(true, pred),
    }


def stored_evaluation(
    workspace: Workspace, experiment: Experiment, checkpoint: str = "best"
) -> dict[str, Any]:
    """The evaluation `evaluate_experiment` stored last for this checkpoint."""
    path = f"{experiment.artifact_path}/evaluation/{checkpoint}.json"
    if not workspace.artifacts.exists(path):
        raise NotFound(f"experiment {experiment.name!r} has no evaluation of {checkpoint!r} yet")
    result: dict[str, Any] = json.loads(workspace.artifacts.get_bytes(path))
    return result


def clone_experiment(
    workspace: Workspace, experiment: Experiment, name: str, *, with_weights: bool = False
) -> Experiment:
    """A new experiment with the same graph, settings and data; `with_weights` warm-starts it
    from this one's best checkpoint (e.g. to fine-tune on another dataset)."""
    project = workspace.metadata.get_project(experiment.project_id)
    clone = create_experiment(
        workspace, project.name, name, version_of(workspace, experiment),
        GraphSpec.from_data(experiment.graph), RunSettings.from_data(experiment.settings),
        parent_id=experiment.id,
    )  # fmt: skip
    if with_weights:
        source = local_checkpoint(workspace, experiment, "best")
        if source is None:
            raise NotFound(f"experiment {experiment.name!r} has no weights yet; run it first")
        workspace.artifacts.put_file(source, checkpoint_path(clone, "init"))
    return clone


def continue_experiment(
    workspace: Workspace, experiment: Experiment, extra_epochs: int, callbacks: Sequence[Callback] = ()
) -> Experiment:
    """Train `extra_epochs` more epochs from the last checkpoint."""
    if extra_epochs < 1:
        raise InvalidConfig("extra_epochs must be at least 1")
    settings = RunSettings.from_data(experiment.settings)
    more = settings.model_copy(update={"epochs": experiment.epochs_done + extra_epochs})
    updated = workspace.metadata.update_experiment(experiment.id, settings=more.model_dump(mode="json"))
    return run_experiment(workspace, updated, callbacks, resume=True)


def delete_experiment(workspace: Workspace, experiment: Experiment) -> None:
    """Delete an experiment: its checkpoints, evaluations, local work folder and metadata.

    Its jobs and events stay as the project's history (they no longer point at it).

    Raises:
        Conflict: If a job of the experiment is queued or running; stop it first.
    """
    active = workspace.metadata.list_jobs(
        experiment.project_id, statuses=JOB_ACTIVE, experiment_id=experiment.id
    )
    if active:
        raise Conflict(
            f"experiment {experiment.name!r} has a {active[0].kind} job {active[0].status}; "
            "stop it before deleting the experiment",
            experiment=experiment.id,
            job=active[0].id,
        )
    workspace.metadata.delete_experiment(experiment.id)
    if experiment.artifact_path:
        workspace.artifacts.delete(experiment.artifact_path)
    shutil.rmtree(work_dir(workspace, experiment), ignore_errors=True)
