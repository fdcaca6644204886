"""Benchmark: the native-only recipe epoch by epoch in one precision, to see where bf16 and fp32 part.

Trains `cuperus2017` on the authors' native library with the yeast example's paper settings
(`native_version` split for `--seed`, Adam 1e-3, batch 32) for `--epochs` epochs and, after each,
records the validation loss and Pearson r² (in the run's precision, as early stopping sees them),
the validation MSE and mean prediction offset recomputed in fp32 from the same weights, and the
t0 > 100 test r² in the run's precision and in fp32. From that history it reads off the paper
recipe (early stopping on validation loss, patience 0, best epoch kept): its stop, best epoch and
t0 > 100 test r². `--recipe` stops there instead of training every epoch.
`--torch-dropout` swaps the Dropout block for `torch.nn.Dropout` (which rounds its 1/(1-p) scale
to bf16), to measure what that rounding did. Prints one JSON line per epoch on stderr and one
JSON line with the run on stdout.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/native_precision.py --precision bf16 --seed 1
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from kozak.blocks.core import DropoutBlock
from kozak.data import load_version
from kozak.data.prepare import VersionContent
from kozak.evaluation import regression_metrics
from kozak.examples.yeast import native_version, paper_settings, yeast_project
from kozak.graph import GraphModule, preset
from kozak.settings import Settings
from kozak.training import build_model, train
from kozak.training.callbacks import Callback, RunControl
from kozak.training.predict import predict
from kozak.workspace import Workspace

NATIVE = Path(__file__).resolve().parents[2] / "shared/data/cuperus2017/Native_UTRs.csv.gz"


class EpochProbe(Callback):
    """After each epoch: validation and t0 > 100 test figures in the run's precision and in fp32."""

    def __init__(self, model: GraphModule, content: VersionContent, precision: str) -> None:
        self.model, self.content, self.precision = model, content, precision
        self.deep = np.flatnonzero(content.masks["test_deep"])
        self.validation = np.flatnonzero(content.masks["validation"])
        self.epochs: list[dict[str, float]] = []

    def _r2(self, rows: np.ndarray, precision: str) -> float:
        true, pred = predict(self.model, self.content, rows, precision=precision)["growth_rate"]
        return float(regression_metrics(true, pred)["pearson_r2"] or np.nan)

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: dict[str, float]) -> None:
        true, pred = predict(self.model, self.content, self.validation, precision="fp32")["growth_rate"]
        found = {
            "epoch": epoch,
            "val_loss": metrics["val_loss"],
            "val_pearson_r2": metrics["val_pearson_r2"],
            "val_mse_fp32": float(np.mean((pred - true) ** 2)),
            "val_offset_fp32": float(np.mean(pred - true)),
            "deep_r2": self._r2(self.deep, self.precision),
            "deep_r2_fp32": self._r2(self.deep, "fp32"),
            "time_s": metrics["time_s"],
        }
        self.epochs.append(found)
        print(json.dumps(found), file=sys.stderr, flush=True)
        self.model.train()  # predict() left it in eval mode


def recipe(epochs: list[dict[str, float]]) -> dict[str, Any]:
    """The paper recipe read off a history: stop at the first epoch whose val loss is no lower."""
    best = 0
    for found in epochs:
        if best and found["val_loss"] >= epochs[best - 1]["val_loss"]:
            return {"stop_epoch": found["epoch"], "best_epoch": best, **_at(epochs, best)}
        best = int(found["epoch"])
    return {"stop_epoch": None, "best_epoch": best, **_at(epochs, best)}


def _at(epochs: list[dict[str, float]], best: int) -> dict[str, float | None]:
    return {"deep_r2": epochs[best - 1]["deep_r2"] if best else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--precision", choices=["fp32", "bf16", "fp16", "auto"], default="bf16")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--recipe", action="store_true", help="stop as the paper recipe does")
    parser.add_argument("--torch-dropout", action="store_true", help="torch.nn.Dropout, as before")
    parser.add_argument("--native", type=Path, default=NATIVE)
    args = parser.parse_args()
    if args.torch_dropout:
        DropoutBlock.build = classmethod(lambda cls, shapes, params: nn.Dropout(params.rate))  # type: ignore[method-assign,assignment]
    with tempfile.TemporaryDirectory() as home:
        workspace = Workspace.open(Settings(home=Path(home)))
        yeast_project(workspace)
        content = load_version(workspace, native_version(workspace, args.native, seed=args.seed))
        settings = paper_settings(args.epochs, args.seed, args.precision)
        if not args.recipe:
            stopping = settings.early_stopping.model_copy(update={"enabled": False})
            settings = settings.model_copy(update={"early_stopping": stopping})
        graph = preset("cuperus2017")
        model = build_model(graph, content, args.seed)
        probe = EpochProbe(model, content, args.precision)
        started = time.perf_counter()
        train(model, content, graph, settings, [probe])
        workspace.metadata.close()
    print(json.dumps({
        "precision": args.precision, "seed": args.seed, "torch_dropout": args.torch_dropout,
        "threads": torch.get_num_threads(), "wall_s": round(time.perf_counter() - started, 1),
        "recipe": recipe(probe.epochs), "epochs": probe.epochs,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
