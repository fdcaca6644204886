"""Checkpoints: self-describing contents, safe loading, strict rebuilding, one error per mismatch."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from kozak.data.prepare import VersionContent
from kozak.errors import SchemaMismatch
from kozak.graph import GraphSpec, chain
from kozak.training import ModelCheckpoint, RunSettings, build_model, load_checkpoint, train
from kozak.training.checkpoint import load_state_strict, save_checkpoint
from kozak.training.data import row_set, subset_rows

SETTINGS = RunSettings(epochs=2, batch_size=32, device="cpu", seed=2)


@pytest.fixture
def trained(
    synthetic: VersionContent, small_graph: GraphSpec, tmp_path: Path
) -> tuple[torch.nn.Module, ModelCheckpoint]:
    model = build_model(small_graph, synthetic, seed=2)
    checkpoints = ModelCheckpoint(tmp_path / "ckpt")
    train(model, synthetic, small_graph, SETTINGS, [checkpoints], dataset_version_id="dsv_123")
    return model, checkpoints


def test_checkpoint_rebuilds_the_model(
    trained: tuple[torch.nn.Module, ModelCheckpoint], synthetic: VersionContent, small_graph: GraphSpec
) -> None:
    model, checkpoints = trained
    assert checkpoints.best_path.exists() and checkpoints.last_path.exists()
    loaded = load_checkpoint(checkpoints.last_path)  # weights_only=True inside
    assert loaded.graph_spec == small_graph and loaded.run_settings == SETTINGS
    assert loaded.data["dataset_version_id"] == "dsv_123" and loaded.epoch == 2
    assert [m["epoch"] for m in loaded.metrics] == [1.0, 2.0]
    assert set(loaded.data["callbacks_state"]) == {"model_checkpoint"}
    target = loaded.features["growth_rate"]
    assert (
        target.normalization == "zscore" and target.stats == synthetic.feature("growth_rate").spec.stats
    )
    assert loaded.features["seq"].sequence == synthetic.feature("seq").spec.sequence
    rebuilt = loaded.build_model()
    data = row_set(synthetic, ["seq"], [], subset_rows(synthetic, "validation"), torch.device("cpu"))
    inputs, _ = data.batch(torch.arange(20))
    model.eval()
    with torch.no_grad():
        assert torch.equal(model(inputs)["growth_rate"], rebuilt(inputs)["growth_rate"])


def test_best_checkpoint_holds_the_best_epoch(trained: tuple[torch.nn.Module, ModelCheckpoint]) -> None:
    _, checkpoints = trained
    best = load_checkpoint(checkpoints.best_path)
    losses = [m["val_loss"] for m in load_checkpoint(checkpoints.last_path).metrics]
    assert best.epoch == 1 + losses.index(min(losses))
    assert best.data["best_metric"]["value"] == min(losses)


def test_every_mismatch_is_listed(trained: tuple[torch.nn.Module, ModelCheckpoint]) -> None:
    model, _ = trained
    state = {k: v.clone() for k, v in model.state_dict().items()}
    first, second = list(state)[:2]
    del state[first]
    state[second] = torch.zeros(3, 3)
    state["extra.weight"] = torch.zeros(1)
    with pytest.raises(SchemaMismatch) as caught:
        load_state_strict(model, state)
    problems = caught.value.details["problems"]
    assert len(problems) == 3
    assert any(first in p and "missing" in p for p in problems)
    assert any(p == "unexpected extra.weight" for p in problems)
    assert any(second in p and "(3, 3)" in p for p in problems)


def test_resuming_with_another_graph_is_refused(
    trained: tuple[torch.nn.Module, ModelCheckpoint], synthetic: VersionContent
) -> None:
    _, checkpoints = trained
    other = chain(
        ("seq", "input", {"feature": "seq"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1}),
        ("growth_rate", "target", {"feature": "growth_rate", "loss": "mse"}),
    )
    settings = SETTINGS.model_copy(update={"epochs": 3})
    with pytest.raises(SchemaMismatch, match="different graph"):
        train(
            build_model(other, synthetic), synthetic, other, settings, resume_from=checkpoints.last_path
        )


def test_foreign_and_old_files_are_refused(
    trained: tuple[torch.nn.Module, ModelCheckpoint], tmp_path: Path
) -> None:
    _, checkpoints = trained
    junk = tmp_path / "junk.pt"
    junk.write_bytes(b"not a checkpoint")
    with pytest.raises(SchemaMismatch, match="not a readable Kozak checkpoint"):
        load_checkpoint(junk)
    save_checkpoint({"format_version": 1, "model_state": {}}, tmp_path / "partial.pt")
    with pytest.raises(SchemaMismatch, match="missing: graph_spec, run_settings"):
        load_checkpoint(tmp_path / "partial.pt")
    data = load_checkpoint(checkpoints.last_path).data
    save_checkpoint({**data, "format_version": 99}, tmp_path / "future.pt")
    with pytest.raises(SchemaMismatch, match="format 99"):
        load_checkpoint(tmp_path / "future.pt")
