"""Callbacks: the small surface through which the training loop reports and is steered.

Hooks: `on_train_start`, `on_batch_end`, `on_epoch_end`, `on_checkpoint`, `on_train_end`,
`on_exception`; `state_dict`/`load_state_dict` travel in checkpoints. Built-ins: `MetricsHistory`,
`EarlyStopping`, `ModelCheckpoint` (best and last) and `RichProgress` (for the CLI).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol

from kozak.errors import InvalidConfig
from kozak.training.settings import EarlyStoppingSettings, RunSettings

Metrics = dict[str, float]


class RunControl(Protocol):
    """What a callback may see and do of the run in progress."""

    settings: RunSettings
    batches_per_epoch: int
    position: tuple[int, int]  # (completed epochs, completed batches of the next epoch)
    history: list[Metrics]  # every completed epoch's metrics, including those before a resume

    def request_stop(self, reason: str) -> None:
        """Stop after the current epoch (or batch, when called from `on_batch_end`)."""

    def save_checkpoint(self, path: Path, kind: str) -> Path:
        """Write a checkpoint of the current state to `path` and tell every callback."""


class Callback:
    """Base class: every hook does nothing; override the ones you need.

    `name` keys the callback's state in a checkpoint; `order` sorts callbacks (lower first), so
    checkpointing (order 100) sees the state other callbacks have just updated.
    """

    name: ClassVar[str] = ""
    order: ClassVar[int] = 0

    @property
    def key(self) -> str:
        """Key of this callback's state in `callbacks_state`."""
        return self.name or type(self).__name__

    def on_train_start(self, run: RunControl, epoch: int) -> None:
        """The run starts (or resumes) at `epoch` (0-based, completed epochs so far)."""

    def on_batch_end(self, run: RunControl, epoch: int, batch: int, batches: int, loss: float) -> None:
        """Training batch `batch` (0-based) of `batches` in `epoch` (1-based) ended with `loss`."""

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        """Epoch `epoch` (1-based) ended; `metrics` has loss, val_* metrics, lr and time_s."""

    def on_checkpoint(self, run: RunControl, path: Path, kind: str) -> None:
        """A checkpoint of kind `kind` ("last", "best") was written to `path`."""

    def on_train_end(self, run: RunControl, reason: str) -> None:
        """The run ended: "completed", "early_stopping" or "stopped"."""

    def on_exception(self, run: RunControl, error: BaseException) -> None:
        """The run failed with `error` (re-raised after every callback saw it)."""

    def state_dict(self) -> dict[str, Any]:
        """State to store in checkpoints (JSON-like values)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what `state_dict` returned."""


class MetricsHistory(Callback):
    """Keeps every epoch's metrics and hands each to an optional sink (e.g. the metadata store).

    Args:
        sink: Called with (epoch, metrics) after each epoch.
    """

    name = "metrics_history"

    def __init__(self, sink: Callable[[int, Metrics], None] | None = None) -> None:
        self.sink = sink
        self.history: list[Metrics] = []

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        self.history.append(dict(metrics))
        if self.sink is not None:
            self.sink(epoch, metrics)

    def state_dict(self) -> dict[str, Any]:
        return {"history": [dict(m) for m in self.history]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.history = [dict(m) for m in state.get("history", [])]


def _improved(value: float, best: float | None, mode: str, min_delta: float) -> bool:
    if math.isnan(value):
        return False
    if best is None:
        return True
    return value < best - min_delta if mode == "min" else value > best + min_delta


def _monitored(metrics: Metrics, monitor: str) -> float:
    if monitor not in metrics:
        raise InvalidConfig(
            f"monitored metric {monitor!r} is not among the epoch metrics: "
            + ", ".join(sorted(metrics)),
            monitor=monitor,
        )
    return metrics[monitor]


class EarlyStopping(Callback):
    """Stops the run when the monitored metric has not improved for `patience` epochs.

    Args:
        settings: Monitor, mode, patience and min_delta.
    """

    name = "early_stopping"

    def __init__(self, settings: EarlyStoppingSettings) -> None:
        self.settings = settings
        self.best: float | None = None
        self.best_epoch = 0
        self.wait = 0

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        s = self.settings
        value = _monitored(metrics, s.monitor)
        if _improved(value, self.best, s.mode, s.min_delta):
            self.best, self.best_epoch, self.wait = value, epoch, 0
            return
        self.wait += 1
        if self.wait > s.patience:
            run.request_stop("early_stopping")

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state.get("best")
        self.best_epoch = int(state.get("best_epoch", 0))
        self.wait = int(state.get("wait", 0))


class ModelCheckpoint(Callback):
    """Writes `last.pt` after every epoch (and when the run ends mid-epoch), `best.pt` when the
    monitored metric improves and, with `keep_epochs`, `epoch-N.pt` for every epoch N.

    Args:
        directory: Folder for the files (created when missing).
        monitor: Epoch metric deciding "best".
        mode: Whether lower or higher is better.
        keep_epochs: Also keep each epoch's checkpoint (to deploy or evaluate any epoch later).
    """

    name = "model_checkpoint"
    order = 100

    def __init__(
        self,
        directory: str | Path,
        monitor: str = "val_loss",
        mode: Literal["min", "max"] = "min",
        *,
        keep_epochs: bool = False,
    ) -> None:
        self.directory = Path(directory)
        self.monitor = monitor
        self.mode = mode
        self.keep_epochs = keep_epochs
        self.best: float | None = None
        self.best_epoch = 0
        self._saved_position: tuple[int, int] | None = None

    @property
    def last_path(self) -> Path:
        """Where the last checkpoint goes."""
        return self.directory / "last.pt"

    @property
    def best_path(self) -> Path:
        """Where the best checkpoint goes."""
        return self.directory / "best.pt"

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        value = _monitored(metrics, self.monitor)
        improved = _improved(value, self.best, self.mode, 0.0)
        if improved:
            self.best, self.best_epoch = value, epoch
        run.save_checkpoint(self.last_path, "last")
        self._saved_position = (epoch, 0)
        if self.keep_epochs:
            run.save_checkpoint(self.directory / f"epoch-{epoch}.pt", f"epoch-{epoch}")
        if improved:
            run.save_checkpoint(self.best_path, "best")

    def on_train_end(self, run: RunControl, reason: str) -> None:
        position = run.position
        if position != self._saved_position:
            self.directory.mkdir(parents=True, exist_ok=True)
            run.save_checkpoint(self.last_path, "last")
            self._saved_position = position

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = state.get("best")
        self.best_epoch = int(state.get("best_epoch", 0))


class RichProgress(Callback):
    """A per-batch progress bar with ETA and one line of metrics per epoch (for the CLI).

    Args:
        console: A `rich.console.Console`; default a new one on stderr.
    """

    name = "rich_progress"

    def __init__(self, console: Any | None = None) -> None:
        from rich.console import Console

        self.console = console if console is not None else Console(stderr=True)
        self._progress: Any = None
        self._task: Any = None
        self._started = 0.0

    def on_train_start(self, run: RunControl, epoch: int) -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]epoch {task.fields[epoch]}/{task.fields[epochs]}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("loss {task.fields[loss]}"),
            TimeRemainingColumn(),
            console=self.console,
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task(
            "train",
            total=run.batches_per_epoch,
            epoch=epoch + 1,
            epochs=run.settings.epochs,
            loss="-",
        )
        self._started = time.perf_counter()

    def on_batch_end(self, run: RunControl, epoch: int, batch: int, batches: int, loss: float) -> None:
        self._progress.update(
            self._task, completed=batch + 1, total=batches, epoch=epoch, loss=f"{loss:.4f}"
        )

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        shown = "  ".join(f"{k} {v:.4g}" for k, v in metrics.items() if k != "epoch")
        self._progress.console.print(f"epoch {epoch}: {shown}")
        self._progress.reset(self._task, epoch=epoch + 1, epochs=run.settings.epochs, loss="-")

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def on_train_end(self, run: RunControl, reason: str) -> None:
        self._stop()

    def on_exception(self, run: RunControl, error: BaseException) -> None:
        self._stop()
