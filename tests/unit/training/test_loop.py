"""The training loop: learning on real data, determinism, divergence, stopping and resuming."""

from __future__ import annotations

import dataclasses
import io
import math
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch

from kozak.data.encode import FeatureData
from kozak.data.prepare import VersionContent
from kozak.errors import InvalidConfig, JobFailed
from kozak.graph import GraphSpec, preset
from kozak.training import (
    Callback,
    EarlyStoppingSettings,
    MetricsHistory,
    ModelCheckpoint,
    OptimizerSettings,
    RunControl,
    RunSettings,
    build_model,
    train,
)
from kozak.training.data import batch_slices, epoch_order, subset_rows

FAST = RunSettings(epochs=2, batch_size=32, device="cpu")


def _weights(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items()}


def _same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_tutorial_preset_learns_the_native_library(native_content: VersionContent) -> None:
    spec = preset("cuperus2017-tutorial")
    model = build_model(spec, native_content, seed=0)
    settings = RunSettings(epochs=2, batch_size=64, device="cpu")
    result = train(model, native_content, spec, settings, [history := MetricsHistory()])
    assert result.stop_reason == "completed" and result.epochs_completed == 2
    assert history.history == result.history
    for metrics in result.history:
        assert all(math.isfinite(v) for v in metrics.values()), metrics
        assert metrics["val_mse"] == pytest.approx(metrics["val_loss"], rel=1e-4)
        assert 0 < metrics["val_mae"] < 1 and metrics["lr"] == 1e-3 and metrics["time_s"] > 0
    # Which epoch is best varies with the CPU's float kernels (epoch 2's validation loss rises on
    # some machines, falls on others); that the best one is chosen, and learned something, does not.
    val_losses = [m["val_loss"] for m in result.history]
    assert result.best_metric == min(val_losses)
    best = result.history[result.best_epoch - 1]
    assert best["val_loss"] == result.best_metric
    # best-epoch validation r² measured 0.246–0.287 in fp32 (seeds 0–3, one and two threads) and
    # 0.178–0.282 in bf16 (seeds 0–3): above 0.08 with a margin of 0.1
    assert 0.08 < best["val_pearson_r2"] < 1


def test_same_seed_same_run(synthetic: VersionContent, small_graph: GraphSpec) -> None:
    settings = FAST.model_copy(update={"rc_augmentation": True})
    runs = []
    for seed in (3, 3, 4):
        s = settings.model_copy(update={"seed": seed})
        model = build_model(small_graph, synthetic, seed=s.seed)
        result = train(model, synthetic, small_graph, s)
        runs.append((result.history, _weights(model)))
    (h1, w1), (h2, w2), (h3, _) = runs
    assert [m["loss"] for m in h1] == [m["loss"] for m in h2]
    assert [m["val_loss"] for m in h1] == [m["val_loss"] for m in h2]
    assert _same(w1, w2)
    assert [m["loss"] for m in h1] != [m["loss"] for m in h3]


def test_normalised_target_metrics_are_in_original_units(
    synthetic: VersionContent, small_graph: GraphSpec
) -> None:
    settings = RunSettings(epochs=6, batch_size=16, device="cpu", optimizer={"lr": 1e-2})
    model = build_model(small_graph, synthetic)
    result = train(model, synthetic, small_graph, settings)
    spec = synthetic.feature("growth_rate").spec
    assert spec.stats is not None
    last = result.history[-1]
    # loss is on z-scores, mse in the target's units: they differ by the variance
    assert last["val_mse"] == pytest.approx(last["val_loss"] * spec.stats.std**2, rel=1e-3)
    assert last["val_pearson_r2"] > 0.5  # growth follows GC content (0.71–0.77: seeds 0–3, fp32, bf16)


def test_infinite_target_fails_naming_epoch_and_batch(
    synthetic: VersionContent, small_graph: GraphSpec
) -> None:
    rows = subset_rows(synthetic, "training")
    values = np.array(synthetic.feature("growth_rate").values, dtype=np.float64)
    bad = 10  # position in the training subset
    values[rows[bad]] = np.inf
    target = synthetic.feature("growth_rate")
    features = [
        FeatureData(target.spec, values) if d.spec.name == "growth_rate" else d
        for d in synthetic.features
    ]
    broken = dataclasses.replace(synthetic, features=features)
    settings = FAST.model_copy(update={"seed": 5})
    where = int(torch.nonzero(epoch_order(len(rows), 5, 1, torch.device("cpu")) == bad)[0, 0])
    expected = where // settings.batch_size + 1
    batches = len(list(batch_slices(len(rows), settings.batch_size)))

    class Seen(Callback):
        error: BaseException | None = None

        def on_exception(self, run: RunControl, error: BaseException) -> None:
            self.error = error

    seen = Seen()
    model = build_model(small_graph, broken)
    before = _weights(model)
    with pytest.raises(JobFailed, match=rf"epoch 1, batch {expected} of {batches}") as caught:
        train(model, broken, small_graph, settings, [seen])
    assert caught.value.details["epoch"] == 1 and caught.value.details["batch"] == expected
    assert seen.error is caught.value
    if expected == 1:
        assert _same(before, _weights(model))


def test_huge_learning_rate_diverges_with_job_failed(
    synthetic: VersionContent, small_graph: GraphSpec
) -> None:
    settings = FAST.model_copy(update={"optimizer": OptimizerSettings(name="sgd", lr=1e12)})
    model = build_model(small_graph, synthetic)
    with pytest.raises(JobFailed, match=r"epoch \d+, batch \d+ of \d+"):
        train(model, synthetic, small_graph, settings)


class StopAt(Callback):
    """Requests a stop at the end of an epoch, or sets a stop event after a batch."""

    def __init__(self, epoch: int, batch: int | None = None, event: threading.Event | None = None):
        self.epoch, self.batch, self.event = epoch, batch, event

    def on_batch_end(self, run: RunControl, epoch: int, batch: int, batches: int, loss: float) -> None:
        if self.event is not None and (epoch, batch) == (self.epoch, self.batch):
            self.event.set()

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: dict[str, float]) -> None:
        if self.batch is None and epoch == self.epoch:
            run.request_stop("stopped")


@pytest.mark.parametrize("mid_epoch", [False, True], ids=["at-epoch-end", "mid-epoch"])
def test_stop_and_resume_equals_an_uninterrupted_run(
    synthetic: VersionContent, small_graph: GraphSpec, tmp_path: Path, mid_epoch: bool
) -> None:
    settings = RunSettings(epochs=4, batch_size=32, device="cpu", seed=1)
    straight = build_model(small_graph, synthetic, seed=1)
    full = train(straight, synthetic, small_graph, settings)

    event = threading.Event()
    stopper = StopAt(2, batch=3, event=event) if mid_epoch else StopAt(2)
    first = build_model(small_graph, synthetic, seed=1)
    checkpoints = ModelCheckpoint(tmp_path)
    part = train(first, synthetic, small_graph, settings, [stopper, checkpoints], stop_event=event)
    assert part.stop_reason == "stopped"
    assert part.epochs_completed == (1 if mid_epoch else 2)

    resumed_model = build_model(small_graph, synthetic, seed=99)  # weights come from the checkpoint
    history = MetricsHistory()
    rest = train(
        resumed_model,
        synthetic,
        small_graph,
        settings,
        [history, ModelCheckpoint(tmp_path)],
        resume_from=checkpoints.last_path,
    )
    assert rest.stop_reason == "completed" and rest.epochs_completed == 4
    assert _same(_weights(straight), _weights(resumed_model))
    for a, b in zip(full.history, rest.history, strict=True):
        assert {k: v for k, v in a.items() if k != "time_s"} == {
            k: v for k, v in b.items() if k != "time_s"
        }


def test_early_stopping_ends_the_run(synthetic: VersionContent, small_graph: GraphSpec) -> None:
    # the learning rate is constant, so "lr" never improves after the first epoch
    stopping = EarlyStoppingSettings(enabled=True, monitor="lr", patience=1)
    settings = FAST.model_copy(update={"epochs": 10, "early_stopping": stopping})
    result = train(build_model(small_graph, synthetic), synthetic, small_graph, settings)
    assert result.stop_reason == "early_stopping" and result.epochs_completed == 3


def test_unknown_monitor_is_named(synthetic: VersionContent, small_graph: GraphSpec) -> None:
    stopping = EarlyStoppingSettings(enabled=True, monitor="val_auc")
    settings = FAST.model_copy(update={"early_stopping": stopping})
    with pytest.raises(InvalidConfig, match=r"val_auc.*val_loss"):
        train(build_model(small_graph, synthetic), synthetic, small_graph, settings)


def test_missing_subset_is_refused(synthetic: VersionContent, small_graph: GraphSpec) -> None:
    settings = FAST.model_copy(update={"validation_subset": "test"})
    with pytest.raises(InvalidConfig, match="no subset 'test'"):
        train(build_model(small_graph, synthetic), synthetic, small_graph, settings)


def test_without_validation_only_training_metrics(
    make_synthetic: Callable[[int, str], VersionContent], small_graph: GraphSpec
) -> None:
    content = make_synthetic(200, "minmax")
    settings = FAST.model_copy(update={"validation_subset": None, "epochs": 1})
    result = train(build_model(small_graph, content), content, small_graph, settings)
    assert set(result.history[0]) == {"epoch", "loss", "lr", "time_s"}


def test_rich_progress_reports_each_epoch(synthetic: VersionContent, small_graph: GraphSpec) -> None:
    from rich.console import Console

    from kozak.training import RichProgress

    out = io.StringIO()
    progress = RichProgress(Console(file=out, width=200))
    train(build_model(small_graph, synthetic), synthetic, small_graph, FAST, [progress])
    text = out.getvalue()
    assert "epoch 1: loss" in text and "epoch 2: loss" in text and "val_pearson_r2" in text
