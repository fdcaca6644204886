"""Benchmark: Kozak's training loop against bare fwd+bwd+step, and `precision: bf16` against fp32.

Makes a dataset version of N synthetic 50-nt UTRs (seeded) in a temporary workspace, then for
batch sizes 32 and 256 on CPU times (a) `train` over one epoch of the training rows, with its
device-side data path (uint8 codes -> one-hot per batch, shuffling), a metrics callback, per-batch
loss logging and a last-checkpoint write, in fp32 and with `precision: bf16` (autocast; native
on CPUs with AMX or AVX-512-BF16), and (b) the bare fp32 loop on a pre-built one-hot tensor.
`auto_vs_fp32` is `bf16_vs_fp32` where `precision: auto` trains in bf16 (CPUs with AMX or
AVX-512-BF16), 1 where it trains in fp32.
Validation is off in (a): both sides do the same work per example. Best of `--repeats`.
The machine's roofline comes from the same run: bf16 and fp32 GEMM GFLOP/s (2048² matrices);
bf16's achieved FLOP/s (3 x the forward FLOPs per training sample) is given as a share of the
bf16 peak. Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import torch
from roofline import gemm_gflops

from kozak.data import import_files, load_version
from kozak.data.prepare import VersionContent
from kozak.graph import GraphSpec, preset
from kozak.settings import Settings
from kozak.training import MetricsHistory, ModelCheckpoint, RunSettings, build_model, train
from kozak.training.data import row_set
from kozak.training.precision import resolve_precision
from kozak.workspace import Workspace


def synthetic_version(home: Path, rows: int, seed: int) -> VersionContent:
    """A saved version of `rows` random 50-nt UTRs with a GC-driven growth rate."""
    rng = np.random.default_rng(seed)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[rng.integers(0, 4, (rows, 50))]
    gc = np.isin(letters, np.frombuffer(b"GC", dtype=np.uint8)).mean(axis=1)
    growth = gc + 0.1 * rng.standard_normal(rows)
    seqs = pa.array(letters.view("S50")[:, 0].astype(str))
    csv = home / "utrs.csv"
    home.mkdir(parents=True, exist_ok=True)
    pacsv.write_csv(pa.table({"UTR": seqs, "growth_rate": growth}), csv)
    workspace = Workspace.open(Settings(home=home))
    draft = import_files(workspace, [csv], name="Synthetic", project="Bench")
    draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=10)
    return load_version(workspace, draft.save())


def kozak_epoch(
    spec: GraphSpec, content: VersionContent, batch_size: int, folder: Path, precision: str
) -> tuple[float, float]:
    """(seconds for one epoch through `train`, final loss)."""
    model = build_model(spec, content, seed=0)
    settings = RunSettings.from_data(
        {"epochs": 1, "batch_size": batch_size, "device": "cpu", "seed": 0,
         "validation_subset": None, "precision": precision}
    )  # fmt: skip
    callbacks = [MetricsHistory(), ModelCheckpoint(folder, monitor="loss")]
    start = time.perf_counter()
    result = train(model, content, spec, settings, callbacks)
    return time.perf_counter() - start, result.history[-1]["loss"]


def bare_epoch(spec: GraphSpec, content: VersionContent, batch_size: int) -> float:
    """Seconds for fwd+bwd+Adam step over a pre-built, pre-shuffled one-hot tensor."""
    rows = np.flatnonzero(content.masks["training"])
    data = row_set(content, ["seq"], ["growth_rate"], rows, torch.device("cpu"))
    perm = torch.randperm(len(rows), generator=torch.Generator().manual_seed(0))
    inputs, targets = data.batch(perm)
    x, y = inputs["seq"].contiguous(), targets["growth_rate"].contiguous()  # (N, 4, 70), (N, 1)
    model = build_model(spec, content, seed=0)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    model.train()
    start = time.perf_counter()
    for begin in range(0, len(rows), batch_size):
        optimizer.zero_grad(set_to_none=True)
        out = model({"seq": x[begin : begin + batch_size]})["growth_rate"]
        loss_fn(out, y[begin : begin + batch_size]).backward()
        optimizer.step()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000, help="synthetic sequences (50,000)")
    parser.add_argument(
        "--train-rows",
        type=int,
        default=8192,
        help="rows in the timed epoch (an epoch of 40,000 rows takes ~40 s per side on 2 cores)",
    )
    parser.add_argument("--repeats", type=int, default=2, help="timings per side; best is kept")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads", type=int, help="torch threads (default torch's; 1 on a crowded machine)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    auto = resolve_precision("auto", "cpu")
    roofline = {
        name: gemm_gflops(dtype) for name, dtype in (("bf16", torch.bfloat16), ("fp32", torch.float32))
    }

    with tempfile.TemporaryDirectory() as tmp:
        content = synthetic_version(Path(tmp) / "home", args.rows, args.seed)
        training = np.flatnonzero(content.masks["training"])[: args.train_rows]
        mask = np.zeros(content.n_rows, dtype=bool)
        mask[training] = True
        timed = dataclasses.replace(content, masks={**content.masks, "training": mask})
        spec = preset("cuperus2017")
        n = len(training)
        warm = np.zeros_like(mask)
        warm[training[:64]] = True
        bare_epoch(spec, dataclasses.replace(content, masks={"training": warm}), 32)  # kernels
        results: dict[str, dict[str, float]] = {}
        flops_per_sample = 3 * build_model(spec, content).info.total_flops  # forward + backward
        for batch_size in (32, 256):
            kozak_s = bf16_s = bare_s = float("inf")
            loss = bf16_loss = float("nan")
            for repeat in range(args.repeats):
                folder = Path(tmp) / f"ckpt{repeat}"
                seconds, loss = kozak_epoch(spec, timed, batch_size, folder, "fp32")
                kozak_s = min(kozak_s, seconds)
                seconds, bf16_loss = kozak_epoch(spec, timed, batch_size, folder, "bf16")
                bf16_s = min(bf16_s, seconds)
                bare_s = min(bare_s, bare_epoch(spec, timed, batch_size))
            results[str(batch_size)] = {
                "samples_per_s": round(n / kozak_s, 1),
                "pure_compute_samples_per_s": round(n / bare_s, 1),
                "ratio": round(bare_s / kozak_s, 3),
                "epoch_loss": round(loss, 5),
                "bf16_samples_per_s": round(n / bf16_s, 1),
                "bf16_vs_fp32": round(kozak_s / bf16_s, 3),
                "bf16_epoch_loss": round(bf16_loss, 5),
                "bf16_gflops": round(n / bf16_s * flops_per_sample / 1e9, 1),
            }

    print(
        f"cuperus2017 preset, CPU ({torch.get_num_threads()} threads), {args.rows:,} synthetic "
        f"50-nt UTRs; timed epoch = {n:,} training rows (not all {args.rows:,}), best of "
        f"{args.repeats}; Kozak loop: train() with MetricsHistory + ModelCheckpoint, no validation"
    )
    print(f"precision auto trains here in: {auto.used} ({auto.reason})")
    print(
        f"roofline: bf16 GEMM {roofline['bf16']:,.0f} GFLOP/s, fp32 GEMM {roofline['fp32']:,.0f} GFLOP/s"
    )
    print(
        f"{'batch':>6} {'fp32 samples/s':>15} {'bare fp32':>10} {'ratio':>6} {'bf16 samples/s':>15} "
        f"{'bf16/fp32':>10} {'GFLOP/s':>8} {'of bf16 peak':>13}"
    )
    for size, r in results.items():
        share = r["bf16_gflops"] / roofline["bf16"]
        print(
            f"{size:>6} {r['samples_per_s']:>15,.1f} {r['pure_compute_samples_per_s']:>10,.1f} "
            f"{r['ratio']:>6.3f} {r['bf16_samples_per_s']:>15,.1f} {r['bf16_vs_fp32']:>10.2f} "
            f"{r['bf16_gflops']:>8,.0f} {share:>13.3f}"
        )
    print(
        "goals: ratio >= 0.90; bf16/fp32 >= 2.5 at batch 256; share of the bf16 peak (long term) >= 0.35"
    )
    print(
        json.dumps(
            {
                "benchmark": "train_throughput",
                "rows": args.rows,
                "timed_rows": n,
                "device": "cpu",
                "threads": torch.get_num_threads(),
                "batch_sizes": results,
                "precision_auto": auto.used,
                "roofline_bf16_gflops": round(roofline["bf16"], 1),
                "roofline_fp32_gflops": round(roofline["fp32"], 1),
                "bf16_vs_fp32": {size: r["bf16_vs_fp32"] for size, r in results.items()},
                "auto_vs_fp32": {
                    size: r["bf16_vs_fp32"] if auto.used == "bf16" else 1.0
                    for size, r in results.items()
                },
                "share_of_bf16_peak": round(results["256"]["bf16_gflops"] / roofline["bf16"], 4),
            }
        )
    )


if __name__ == "__main__":
    main()
