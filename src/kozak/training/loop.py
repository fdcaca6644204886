"""The training loop: `train(model, content, graph_spec, settings, callbacks)` -> `TrainResult`.

Per epoch: shuffled training batches (made on the device), validation loss and metrics, learning
rate, wall time. Deterministic on CPU for a seed; a non-finite loss raises `JobFailed` naming the
epoch and batch; a callback or `stop_event` stops it cleanly and `resume_from` continues exactly.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from kozak.blocks.losses import get_loss
from kozak.data.feature_spec import FeatureSpec, FeatureType
from kozak.data.prepare import VersionContent
from kozak.errors import JobFailed, SchemaMismatch
from kozak.evaluation import regression_metrics
from kozak.graph.compile import GraphModule, compile_graph
from kozak.graph.graph_spec import GraphSpec
from kozak.training.callbacks import Callback, EarlyStopping, Metrics
from kozak.training.checkpoint import (
    FORMAT_VERSION,
    Checkpoint,
    load_checkpoint,
    load_state_strict,
    save_checkpoint,
)
from kozak.training.data import (
    RowSet,
    batch_slices,
    content_feature_infos,
    denormalize,
    epoch_order,
    flip_mask,
    row_set,
    subset_rows,
)
from kozak.training.precision import resolve_precision
from kozak.training.settings import RunSettings, build_optimizer, build_schedule, resolve_device

VALIDATION_BATCH = 1024  # evaluation needs no gradients, so larger batches are cheaper per row


@dataclass
class TrainResult:
    """How a run ended.

    Attributes:
        history: Metrics of every completed epoch, in order (including epochs before a resume).
        stop_reason: "completed", "early_stopping" or "stopped".
        epochs_completed: Epochs fully trained and validated.
        best_epoch: Epoch (1-based) with the best monitored metric, 0 when none.
        best_metric: That metric's value, None when none.
    """

    history: list[Metrics] = field(default_factory=list)
    stop_reason: str = "completed"
    epochs_completed: int = 0
    best_epoch: int = 0
    best_metric: float | None = None


def build_model(graph_spec: GraphSpec, content: VersionContent, seed: int = 0) -> GraphModule:
    """Compile `graph_spec` for the features of `content`, with weights drawn from `seed`."""
    torch.manual_seed(seed)
    return compile_graph(graph_spec, content_feature_infos(content))


EPOCH_METRICS = ("mse", "mae", "pearson_r2")


def epoch_regression_metrics(pred: np.ndarray, true: np.ndarray) -> dict[str, float]:
    """The per-epoch subset of the evaluation metrics; NaN where undefined or not finite."""
    if not (np.isfinite(pred).all() and np.isfinite(true).all()):
        return dict.fromkeys(EPOCH_METRICS, math.nan)  # diverging weights: still log the epoch
    found = regression_metrics(true.reshape(-1), pred.reshape(-1))
    return {k: math.nan if found[k] is None else float(found[k]) for k in EPOCH_METRICS}


def _target_metrics(spec: FeatureSpec, pred: Tensor, true: Tensor) -> dict[str, float]:
    if spec.type is FeatureType.CATEGORICAL:
        return {"accuracy": float((pred.argmax(dim=-1) == true).float().mean())}
    if spec.type is FeatureType.MULTILABEL:
        return {"accuracy": float(((pred > 0.5).float() == true).float().mean())}
    p = np.asarray(denormalize(pred.double().cpu().numpy(), spec))
    t = np.asarray(denormalize(true.double().cpu().numpy(), spec))
    return epoch_regression_metrics(p, t)


class _Run:
    """One run's state; implements `callbacks.RunControl`."""

    def __init__(
        self,
        model: GraphModule,
        content: VersionContent,
        graph_spec: GraphSpec,
        settings: RunSettings,
        callbacks: Sequence[Callback],
        stop_event: threading.Event | None,
        dataset_version_id: str,
    ) -> None:
        self.model = model
        self.content = content
        self.graph_spec = graph_spec
        self.settings = settings
        self.stop_event = stop_event
        self.dataset_version_id = dataset_version_id
        extra: list[Callback] = []
        if settings.early_stopping.enabled and not any(isinstance(c, EarlyStopping) for c in callbacks):
            extra.append(EarlyStopping(settings.early_stopping))
        self.callbacks = sorted([*callbacks, *extra], key=lambda c: c.order)
        self.device = resolve_device(settings.device)
        self.precision = resolve_precision(settings.precision, self.device)
        self.inputs = list(model.input_shapes)
        self.targets = list(model.output_shapes)
        self.target_specs = {
            d.spec.name: d.spec for d in content.features if d.spec.name in self.targets
        }
        self.losses: dict[str, nn.Module] = {t: get_loss(model.losses[t]).build() for t in self.targets}
        self.train_set = self._rows(settings.training_subset)
        self.val_set = self._rows(settings.validation_subset) if settings.validation_subset else None
        self.model.to(self.device)
        self.optimizer = build_optimizer(model, settings.optimizer)
        self.schedule = build_schedule(self.optimizer, settings)
        self.scaler = self.precision.grad_scaler()
        self.batches_per_epoch = math.ceil(self.train_set.size / settings.batch_size)
        self.position = (0, 0)
        self.partial = {"loss_sum": 0.0, "count": 0}
        self.history: list[Metrics] = []
        self.best: dict[str, Any] = {
            "monitor": settings.early_stopping.monitor,
            "value": None,
            "epoch": 0,
        }
        self.stop_reason: str | None = None

    def _rows(self, subset: str) -> RowSet:
        rows = subset_rows(self.content, subset)
        return row_set(self.content, self.inputs, self.targets, rows, self.device, self.precision.dtype)

    # ---- RunControl ------------------------------------------------------------------------

    def request_stop(self, reason: str) -> None:
        """Stop after the current batch or epoch (whichever the caller is in)."""
        self.stop_reason = self.stop_reason or reason

    def save_checkpoint(self, path: Path, kind: str) -> Path:
        """Write the current state to `path` and tell every callback."""
        written = save_checkpoint(self.checkpoint(), path)
        for callback in self.callbacks:
            callback.on_checkpoint(self, written, kind)
        return written

    # ---- checkpoints -----------------------------------------------------------------------

    def checkpoint(self) -> dict[str, Any]:
        """The current state as a self-describing checkpoint dict."""
        infos = content_feature_infos(self.content)
        specs = {d.spec.name: d.spec for d in self.content.features}
        features = {
            name: {
                "spec": specs[name].model_dump(mode="json"),
                "info": infos[name].model_dump(mode="json"),
            }
            for name in [*self.inputs, *self.targets]
        }
        rng: dict[str, Any] = {"torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {
            "format_version": FORMAT_VERSION,
            "graph_spec": self.graph_spec.to_dict(),
            "run_settings": self.settings.model_dump(mode="json"),
            "precision": self.precision.describe(),
            "dataset_version_id": self.dataset_version_id,
            "features": features,
            "model_state": self.model.state_dict(),
            "optimizer_state": self.optimizer.state_dict(),
            "scheduler_state": self.schedule.state_dict(),
            "scaler_state": self.scaler.state_dict(),
            "epoch": self.position[0],
            "batch": self.position[1],
            "partial": dict(self.partial),
            "metrics": [dict(m) for m in self.history],
            "best_metric": dict(self.best),
            "callbacks_state": {c.key: c.state_dict() for c in self.callbacks},
            "rng_state": rng,
        }

    def restore(self, checkpoint: Checkpoint) -> None:
        """Continue from `checkpoint`: weights, optimizer, schedule, position, RNG, callbacks.

        Raises:
            SchemaMismatch: If the checkpoint is of another graph or its weights do not fit.
        """
        data = checkpoint.data
        if data["graph_spec"] != self.graph_spec.to_dict():
            raise SchemaMismatch("the checkpoint was trained with a different graph than this run's")
        load_state_strict(self.model, data["model_state"])
        self.optimizer.load_state_dict(data["optimizer_state"])
        self.schedule.load_state_dict(data["scheduler_state"])
        if data.get("scaler_state"):
            self.scaler.load_state_dict(data["scaler_state"])
        self.position = (int(data["epoch"]), int(data["batch"]))
        self.partial = dict(data.get("partial", self.partial))
        self.history = [dict(m) for m in data["metrics"]]
        self.best = dict(data.get("best_metric", self.best))
        states = data["callbacks_state"]
        for callback in self.callbacks:
            if callback.key in states:
                callback.load_state_dict(states[callback.key])
        rng = data.get("rng_state", {})
        if "torch" in rng:
            torch.set_rng_state(rng["torch"].cpu())
        if "cuda" in rng and self.device.type == "cuda":
            torch.cuda.set_rng_state(rng["cuda"].cpu(), self.device)

    # ---- the loop --------------------------------------------------------------------------

    def run(self) -> TrainResult:
        for callback in self.callbacks:
            callback.on_train_start(self, self.position[0])
        try:
            while self.position[0] < self.settings.epochs and self.stop_reason is None:
                epoch = self.position[0] + 1
                started = time.perf_counter()
                lr = float(self.optimizer.param_groups[0]["lr"])
                if not self._train_epoch(epoch):
                    break
                metrics: Metrics = {
                    "epoch": float(epoch),
                    "loss": self.partial["loss_sum"] / max(self.partial["count"], 1),
                }
                if self.val_set is not None:
                    metrics.update(self._validate())
                metrics["lr"] = lr
                metrics["time_s"] = time.perf_counter() - started
                self.schedule.step(metrics.get("val_loss", metrics["loss"]))
                self.position = (epoch, 0)
                self.partial = {"loss_sum": 0.0, "count": 0}
                self.history.append(metrics)
                self._track_best(epoch, metrics)
                for callback in self.callbacks:
                    callback.on_epoch_end(self, epoch, metrics)
                if self.stop_event is not None and self.stop_event.is_set():
                    self.request_stop("stopped")
        except BaseException as error:
            for callback in self.callbacks:
                callback.on_exception(self, error)
            raise
        reason = self.stop_reason or "completed"
        for callback in self.callbacks:
            callback.on_train_end(self, reason)
        return TrainResult(
            history=[dict(m) for m in self.history],
            stop_reason=reason,
            epochs_completed=self.position[0],
            best_epoch=int(self.best["epoch"]),
            best_metric=self.best["value"],
        )

    def _track_best(self, epoch: int, metrics: Metrics) -> None:
        value = metrics.get(self.best["monitor"])
        if value is None or math.isnan(value):
            return
        lower = self.settings.early_stopping.mode == "min"
        if self.best["value"] is None or (
            value < self.best["value"] if lower else value > self.best["value"]
        ):
            self.best = {**self.best, "value": value, "epoch": epoch}

    def _train_epoch(self, epoch: int) -> bool:
        """Train the rest of `epoch`; False when stopped before its end."""
        s = self.settings
        size = self.train_set.size
        order = epoch_order(size, s.seed, epoch, self.device)
        flips = None
        if s.rc_augmentation and self.train_set.can_reverse_complement:
            flips = flip_mask(size, s.seed, epoch, self.device)
        self.model.train()
        for index, rows in batch_slices(size, s.batch_size, self.position[1]):
            loss = self._step(order[rows], None if flips is None else flips[rows])
            value = float(loss)
            if not math.isfinite(value):
                raise JobFailed(
                    f"training diverged: the loss is {value} at epoch {epoch}, batch "
                    f"{index + 1} of {self.batches_per_epoch}; lower the learning rate, clip "
                    "gradients, or check the targets for infinite values",
                    epoch=epoch,
                    batch=index + 1,
                    loss=str(value),
                )
            n = rows.stop - rows.start
            self.partial = {
                "loss_sum": self.partial["loss_sum"] + value * n,
                "count": self.partial["count"] + n,
            }
            self.position = (epoch - 1, index + 1)
            for callback in self.callbacks:
                callback.on_batch_end(self, epoch, index, self.batches_per_epoch, value)
            if self.stop_event is not None and self.stop_event.is_set():
                self.request_stop("stopped")
            if self.stop_reason is not None and index + 1 < self.batches_per_epoch:
                return False
        return True

    def _loss(self, outputs: dict[str, Tensor], targets: dict[str, Tensor]) -> Tensor:
        total = torch.zeros((), device=self.device)
        for name, fn in self.losses.items():
            total = total + fn(outputs[name].float(), targets[name])
        return total

    def _step(self, index: Tensor, flip: Tensor | None) -> Tensor:
        inputs, targets = self.train_set.batch(index, flip)
        self.optimizer.zero_grad(set_to_none=True)
        with self.precision.autocast():
            outputs = self.model(inputs)
        loss = self._loss(outputs, targets)
        if not torch.isfinite(loss):
            return loss.detach()  # reported by the caller before any weight changes
        self.scaler.scale(loss).backward()
        if self.settings.gradient_clip is not None:
            self.scaler.unscale_(self.optimizer)
            nn.utils.clip_grad_norm_(self.model.parameters(), self.settings.gradient_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        return loss.detach()

    @torch.no_grad()
    def _validate(self) -> Metrics:
        assert self.val_set is not None
        self.model.eval()
        preds: dict[str, list[Tensor]] = {t: [] for t in self.targets}
        trues: dict[str, list[Tensor]] = {t: [] for t in self.targets}
        loss_sum = 0.0
        size = self.val_set.size
        all_rows = torch.arange(size, device=self.device)
        for _, rows in batch_slices(size, max(self.settings.batch_size, VALIDATION_BATCH)):
            inputs, targets = self.val_set.batch(all_rows[rows])
            with self.precision.autocast():
                outputs = self.model(inputs)
            loss_sum += float(self._loss(outputs, targets)) * (rows.stop - rows.start)
            for name in self.targets:
                preds[name].append(outputs[name].float())
                trues[name].append(targets[name])
        metrics: Metrics = {"val_loss": loss_sum / size}
        for name in self.targets:
            prefix = "val_" if len(self.targets) == 1 else f"val_{name}_"
            found = _target_metrics(
                self.target_specs[name], torch.cat(preds[name]), torch.cat(trues[name])
            )
            metrics.update({prefix + key: value for key, value in found.items()})
        return metrics


def train(
    model: GraphModule,
    content: VersionContent,
    graph_spec: GraphSpec,
    settings: RunSettings,
    callbacks: Sequence[Callback] = (),
    resume_from: str | Path | None = None,
    *,
    stop_event: threading.Event | None = None,
    dataset_version_id: str = "",
) -> TrainResult:
    """Train `model` (compiled from `graph_spec`) on a dataset version's content.

    Args:
        model: The compiled graph (see `build_model`); trained in place on the settings' device.
        content: The dataset version's content (`data.load_version`).
        graph_spec: The graph the model was compiled from (stored in checkpoints).
        settings: Run settings.
        callbacks: Callbacks; an `EarlyStopping` is added when the settings enable it.
        resume_from: A checkpoint to continue from (weights, optimizer, position, RNG, callbacks).
        stop_event: When set, the run ends after the current batch.
        dataset_version_id: Stored in checkpoints.

    Returns:
        The per-epoch history and why the run ended.

    Raises:
        JobFailed: If the loss becomes NaN or infinite (the message names the epoch and batch).
        InvalidConfig: If a subset or feature is missing, or a setting cannot be honoured.
        SchemaMismatch: If `resume_from` does not fit the graph.
    """
    if resume_from is None:
        torch.manual_seed(settings.seed)  # the dropout stream; shuffling has its own generators
    run = _Run(model, content, graph_spec, settings, callbacks, stop_event, dataset_version_id)
    if resume_from is not None:
        run.restore(load_checkpoint(resume_from, map_location=run.device))
    return run.run()
