"""The precision setting: what auto detects, the overrides, old settings, and runs in each."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from kozak.blocks import BLOCKS
from kozak.blocks.core import DropoutParams
from kozak.data.prepare import VersionContent
from kozak.errors import InvalidConfig
from kozak.graph import GraphSpec
from kozak.sequences import get_alphabet, one_hot
from kozak.training import (
    Checkpoint,
    ModelCheckpoint,
    RunSettings,
    build_model,
    load_checkpoint,
    train,
)
from kozak.training.precision import AUTO_OVERRIDE, cpu_bfloat16, resolve_precision

# The learning set-up of test_loop's units test: r² ≈ 0.70-0.76 in fp32, bf16 and fp16 alike
# (seeds 0-3: largest bf16 - fp32 difference 0.0071).
LEARN = RunSettings(epochs=6, batch_size=16, device="cpu", optimizer={"lr": 1e-2})


@pytest.fixture
def no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(AUTO_OVERRIDE, raising=False)


def test_auto_on_the_cpu_follows_its_bfloat16_units(no_override: None) -> None:
    native, evidence = cpu_bfloat16()
    choice = resolve_precision("auto", "cpu")
    assert choice.used == ("bf16" if native else "fp32") and choice.reason == evidence
    assert choice.dtype == (torch.bfloat16 if native else torch.float32) and not choice.scaled


def test_the_cpu_probe_agrees_with_the_kernel() -> None:
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        pytest.skip("no /proc/cpuinfo on this system")
    native, evidence = cpu_bfloat16()
    listed = [flag for flag in ("amx_bf16", "avx512_bf16") if f" {flag}" in flags]
    assert native == bool(listed)
    assert all(flag in evidence for flag in listed)


def test_the_environment_overrides_auto(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(AUTO_OVERRIDE, "fp32")
    choice = resolve_precision("auto", "cpu")
    assert choice.used == "fp32" and AUTO_OVERRIDE in choice.reason
    assert resolve_precision("bf16", "cpu").used == "bf16"  # an explicit setting still wins
    monkeypatch.setenv(AUTO_OVERRIDE, "int8")
    with pytest.raises(InvalidConfig, match=rf"{AUTO_OVERRIDE}='int8'.*fp32, bf16, fp16"):
        resolve_precision("auto", "cpu")


def test_explicit_choices_and_refusals(no_override: None) -> None:
    assert resolve_precision("fp32", "cpu").autocast is not None
    assert resolve_precision("fp16", "cpu").scaled
    assert resolve_precision("auto", "meta").used == "fp32"
    with pytest.raises(InvalidConfig, match="'int8' is not one of auto, fp32, bf16, fp16"):
        resolve_precision("int8", "cpu")
    with pytest.raises(InvalidConfig, match="'bf16' is not available on meta"):
        resolve_precision("bf16", "meta")


def test_settings_from_before_precision_keep_what_they_ran() -> None:
    assert RunSettings().precision == "auto"
    assert RunSettings.from_data({"mixed_precision": False}).precision == "fp32"
    assert RunSettings.from_data({"mixed_precision": True}).precision == "fp16"
    merged = {"mixed_precision": False, "precision": "bf16"}  # an edit of old settings
    assert RunSettings.from_data(merged).precision == "bf16"
    with pytest.raises(InvalidConfig, match="precision"):
        RunSettings.from_data({"precision": "fp64"})


def test_one_hot_is_exact_in_bfloat16() -> None:
    dna = get_alphabet("dna")
    codes = torch.tensor([[0, 1, 2, 3, 255], [3, 3, 0, 255, 255]], dtype=torch.uint8)
    lengths = torch.tensor([4, 3])
    reduced, exact = (
        one_hot(codes, lengths, alphabet=dna, length=6, alignment="right", padding=2, dtype=dtype)
        for dtype in (torch.bfloat16, torch.float32)
    )
    assert reduced.dtype == torch.bfloat16 and torch.equal(reduced.float(), exact)


@pytest.mark.parametrize("rate", [0.1, 0.15, 0.25])
def test_dropout_scales_bfloat16_activations_exactly(rate: float) -> None:
    # torch's CPU dropout rounds 1 / (1 - p) to bf16 (p = 0.15: 1.1797), so training saw
    # activations 0.28 % larger than evaluation, per layer, and bf16 runs drifted in MSE
    torch.manual_seed(0)
    x = torch.rand(1_000_000).add(0.5).to(torch.bfloat16)
    block = BLOCKS.get("dropout").build([(1_000_000,)], DropoutParams(rate=rate)).train()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        y = block(x)
    assert y.dtype == torch.bfloat16
    kept = y != 0
    scale = float((y[kept].double() / x[kept].double()).mean()) * (1 - rate)
    assert abs(scale - 1) < 1e-4  # rounding each value once: ~1e-6; torch's: 1.5e-3 to 2.8e-3
    assert abs(float(kept.double().mean()) - (1 - rate)) < 0.002  # 5 sd of the sampling
    assert torch.equal(block.eval()(x), x)


def test_dropout_in_fp32_is_torchs_own() -> None:
    x = torch.randn(64, 32)
    block = BLOCKS.get("dropout").build([(32,)], DropoutParams(rate=0.15)).train()
    torch.manual_seed(3)
    ours = block(x)
    torch.manual_seed(3)
    assert torch.equal(ours, torch.nn.functional.dropout(x, 0.15, training=True))


@pytest.fixture(scope="module")
def runs(
    make_synthetic: Callable[[int, str], VersionContent],
    small_graph: GraphSpec,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, tuple[float, Checkpoint]]:
    """Precision -> (last val r², last checkpoint) of one run of the small graph in each."""
    content, graph, found = make_synthetic(600, "zscore"), small_graph, {}
    for precision in ("fp32", "bf16", "fp16"):
        settings = LEARN.model_copy(update={"precision": precision})
        checkpoints = ModelCheckpoint(tmp_path_factory.mktemp(precision))
        result = train(build_model(graph, content), content, graph, settings, [checkpoints])
        assert checkpoints.last_path is not None
        found[precision] = (result.history[-1]["val_pearson_r2"], load_checkpoint(checkpoints.last_path))
    return found


@pytest.mark.parametrize("precision", ["fp32", "bf16", "fp16"])
def test_each_precision_learns_and_is_recorded(
    runs: dict[str, tuple[float, Checkpoint]], precision: str
) -> None:
    r2, saved = runs[precision]
    assert r2 > 0.5  # measured 0.70-0.78 in each precision (seeds 0-3)
    assert saved.run_settings.precision == precision
    assert saved.data["precision"]["used"] == precision
    assert bool(saved.data["scaler_state"]) == (precision == "fp16")  # only fp16 scales the loss
    # autocast computes in the reduced type; the weights and Adam's moments stay float32
    weights = list(saved.data["model_state"].values())
    moments = [v for state in saved.data["optimizer_state"]["state"].values() for v in state.values()]
    assert all(t.dtype == torch.float32 for t in [*weights, *moments] if t.is_floating_point())


def test_auto_trains_in_what_it_picks_for_the_device(
    no_override: None,
    make_synthetic: Callable[[int, str], VersionContent],
    small_graph: GraphSpec,
    tmp_path: Path,
) -> None:
    content, graph = make_synthetic(600, "zscore"), small_graph
    checkpoints = ModelCheckpoint(tmp_path)
    settings = LEARN.model_copy(update={"epochs": 1, "precision": "auto"})
    train(build_model(graph, content), content, graph, settings, [checkpoints])
    assert checkpoints.last_path is not None
    recorded = load_checkpoint(checkpoints.last_path).data["precision"]
    assert recorded == resolve_precision("auto", "cpu").describe()


def test_bfloat16_stays_close_to_fp32(runs: dict[str, tuple[float, Checkpoint]]) -> None:
    assert abs(runs["bf16"][0] - runs["fp32"][0]) < 0.03  # measured at most 0.0071 (seeds 0-3)
