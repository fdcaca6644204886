"""Dataset import benchmark: Kozak against the tutorial's per-row one-hot preparation script.

Generates (seeded, untimed) a gzipped CSV shaped like the Cuperus et al. 2017 random library
(489,348 rows: index, 50-nt `UTR`, `growth_rate` from the label identity, `t0`, `t1`), then, in
the same run, times (a) the Kozak import a user runs — read, detect, rename, encoding, two rank
subsets, save (validate, encode, statistics, write) into a fresh workspace, median of repeats —
and (b) the reference: pandas `read_csv`, a Python loop setting float32 one-hot entries in an
(N, 4, 70, 1) array (centred, 10 padding columns per side), `np.save`. It also compares the
stored version's bytes with that array's. Run: `.venv/bin/python benchmarks/ingest.py`.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch
from rich.console import Console
from rich.table import Table

from kozak.data import RankSubset, import_files
from kozak.data.versions import load_version
from kozak.sequences import DNA, EncodedSequences, one_hot
from kozak.settings import Settings
from kozak.store.entities import DatasetVersion
from kozak.workspace import Workspace

FULL_ROWS = 489_348  # the random library (GEO GSM2793752)
UTR_LENGTH = 50
PAD_EACH_SIDE = 10  # the authors' window: 50 nt + 10 zero columns each side = 70
WINDOW = UTR_LENGTH + 2 * PAD_EACH_SIDE
GOAL_SECONDS = 5.0
GOAL_SPEEDUP = 20.0
GOAL_BYTES_RATIO = 10.0
REFERENCE_BUDGET_S = 180.0  # beyond this the reference loop is stopped and extrapolated
console = Console(width=120)
progress = Console(stderr=True)


# Data generation (not timed)
def generate_table(rows: int, seed: int) -> pd.DataFrame:
    """A random-library-like table: sorted random 50-mers and selection read counts.

    t0 is gamma-Poisson (negative binomial, shape 2.5, mean 48: median ≈ 42 like the real
    library); t1 is Poisson around the same latent abundance times exp(fitness), fitness
    ~ N(0, 1), scaled so the depth offset ln(Σ(t0+1)/Σ(t1+1)) is near the real 0.0847.
    """
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 4, size=(rows, UTR_LENGTH), dtype=np.uint8)
    letters = np.frombuffer(b"ACGT", dtype=np.uint8)[codes]
    utrs = np.sort(np.ascontiguousarray(letters).view(f"S{UTR_LENGTH}").ravel())  # (N,)
    abundance = rng.gamma(2.5, 48 / 2.5, rows)
    t0 = rng.poisson(abundance)
    fitness = rng.normal(0.0, 1.0, rows)
    t1 = rng.poisson(abundance * np.exp(fitness - 0.5) / np.exp(0.0847))
    growth = np.log(((t1 + 1) / (t1 + 1).sum()) / ((t0 + 1) / (t0 + 1).sum()))
    return pd.DataFrame(
        {
            "UTR": utrs.astype(f"U{UTR_LENGTH}"),
            "growth_rate": growth,
            "t0": t0.astype(np.int64),
            "t1": t1.astype(np.int64),
        }
    )


def write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    """Write like pandas wrote the real file: a leading unnamed index column, gzipped."""
    text = frame.to_csv(index=True).encode()
    path.write_bytes(gzip.compress(text, compresslevel=6, mtime=0))


# Kozak
@dataclass
class KozakRun:
    """One timed import into a fresh workspace."""

    seconds: float
    phases: dict[str, float]
    stored_bytes: int
    files: dict[str, int]
    version: DatasetVersion
    workspace: Workspace = field(repr=False)


def folder_bytes(folder: Path) -> tuple[int, dict[str, int]]:
    """Total size of the files under `folder`, and the size of each (relative path)."""
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sizes = {str(p.relative_to(folder)): p.stat().st_size for p in files}
    return sum(sizes.values()), sizes


def kozak_import(csv_path: Path, home: Path) -> KozakRun:
    """Import `csv_path` as a user does; the clock covers import_files through save."""
    workspace = Workspace.open(Settings(home=home))  # a fresh workspace, opened before timing
    start = time.perf_counter()
    draft = import_files(workspace, [csv_path], name="Random", project="Yeast")
    read = time.perf_counter()
    draft.rename("UTR", "seq").set_encoding(
        "seq", alignment="center", length=UTR_LENGTH, padding=PAD_EACH_SIDE
    )
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.add_subset(RankSubset(name="test", feature="t0", percent=5))
    draft.add_subset(RankSubset(name="training", feature="t0", side="bottom", percent=95))
    edited = time.perf_counter()
    draft.check()  # encode, subsets, statistics, warnings (save reuses this result)
    prepared = time.perf_counter()
    version = draft.save()
    end = time.perf_counter()
    stored, files = folder_bytes(Path(workspace.settings.artifact_root) / version.artifact_path)
    phases = {
        "read + detect": read - start,
        "edit spec": edited - read,
        "encode + subsets + stats": prepared - edited,
        "write version": end - prepared,
    }
    return KozakRun(end - start, phases, stored, files, version, workspace)


# Reference: the tutorial's preparation script (the authors' one_hot_encoding loop)
@dataclass
class ReferenceRun:
    """The per-row script's timings; `extrapolated` when the loop was stopped early."""

    seconds: float
    read_s: float
    loop_s: float
    save_s: float
    rows_looped: int
    extrapolated: bool
    nbytes: int
    onehot: np.ndarray = field(repr=False)


def reference_script(csv_path: Path, out: Path) -> ReferenceRun:
    """pandas read_csv, a per-row per-base Python loop into float32 one-hot, np.save."""
    start = time.perf_counter()
    data = pd.read_csv(csv_path, index_col=0)
    read = time.perf_counter()
    base_index = {"A": 0, "C": 1, "G": 2, "T": 3}
    n = len(data)
    total_width = int(data["UTR"].str.len().max()) + 2 * PAD_EACH_SIDE
    onehot = np.zeros((n, 4, total_width, 1), dtype=np.float32)
    seqs = data["UTR"].values
    looped = n
    for i in range(n):
        seq = seqs[i]
        for b in range(len(seq)):
            onehot[i, base_index[seq[b]], int(b + round((total_width - len(seq)) / 2.0)), 0] = 1.0
        if i % 20_000 == 19_999 and time.perf_counter() - read > REFERENCE_BUDGET_S:
            looped = i + 1
            break
    loop_end = time.perf_counter()
    loop_s = (loop_end - read) * n / looped
    np.save(out / "onehot.npy", onehot)
    saved = time.perf_counter()
    save_s = saved - loop_end
    read_s = read - start
    return ReferenceRun(
        read_s + loop_s + save_s, read_s, loop_s, save_s, looped, looped < n, onehot.nbytes, onehot
    )


def as_sequences(values: object) -> EncodedSequences:
    """Narrow a stored feature's values to encoded sequences."""
    if not isinstance(values, EncodedSequences):
        raise TypeError(f"expected encoded sequences, got {type(values).__name__}")
    return values


def same_tensors(run: KozakRun, reference: ReferenceRun, sample: int = 20_000) -> bool:
    """Kozak's stored codes, one-hot encoded on the fly, equal the reference array."""
    content = load_version(run.workspace, run.version)
    seqs = as_sequences(content.feature("seq").values)
    rows = np.arange(min(sample, reference.rows_looped))
    made = one_hot(
        torch.from_numpy(np.ascontiguousarray(seqs.codes[rows])),
        torch.from_numpy(np.ascontiguousarray(seqs.lengths[rows])),
        alphabet=DNA, length=UTR_LENGTH, alignment="center", padding=PAD_EACH_SIDE,
    )  # fmt: skip  # (n, 4, 70)
    return bool(np.array_equal(made.numpy(), reference.onehot[rows, :, :, 0]))


# Report
def verdict(ok: bool) -> str:
    return "[green]pass[/]" if ok else "[red]FAIL[/]"


def report(
    rows: int,
    frame: pd.DataFrame,
    csv_bytes: int,
    runs: list[KozakRun],
    reference: ReferenceRun,
    identical: bool,
) -> dict[str, Any]:
    """Print the tables and return the figures for the JSON line."""
    seconds = statistics.median(r.seconds for r in runs)
    median_run = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
    speedup = reference.seconds / seconds
    stored = median_run.stored_bytes
    ratio = reference.nbytes / stored
    t0 = frame["t0"].to_numpy()
    offset = float(np.log((t0 + 1).sum() / (frame["t1"].to_numpy() + 1).sum()))

    console.print(
        f"[bold]Synthetic random library[/]: {rows:,} rows, CSV.gz {csv_bytes:,} bytes, "
        f"median t0 {np.median(t0):.0f}, t0 ≥ 101: {(t0 >= 101).sum():,}, "
        f"growth sd {frame['growth_rate'].std():.3f}, depth offset {offset:.4f}"
    )
    ref_note = ""
    if reference.extrapolated:
        ref_note = f" (loop extrapolated from {reference.rows_looped:,} rows)"
    table = Table(title="Dataset import: Kozak vs the tutorial's preparation script")
    for column in ("measure", "Kozak", "reference", "ratio", "goal", "result"):
        table.add_column(column, justify="left" if column in ("measure", "goal") else "right")
    table.add_row("rows", f"{rows:,}", f"{rows:,}", "", "", "")
    table.add_row(
        "seconds",
        f"{seconds:.2f}",
        f"{reference.seconds:.1f}{ref_note}",
        "",
        f"Kozak ≤ {GOAL_SECONDS:g} s",
        verdict(seconds <= GOAL_SECONDS),
    )
    table.add_row(
        "speedup",
        "",
        "",
        f"{speedup:.1f}x",
        f"≥ {GOAL_SPEEDUP:g}x faster",
        verdict(speedup >= GOAL_SPEEDUP),
    )
    table.add_row(
        "bytes (version folder / float32 one-hot)",
        f"{stored:,}",
        f"{reference.nbytes:,}",
        f"{ratio:.1f}x",
        f"≥ {GOAL_BYTES_RATIO:g}x smaller",
        verdict(ratio >= GOAL_BYTES_RATIO),
    )
    table.add_row(
        "same one-hot tensor (first 20,000 rows)", "", "", "", "equal tensors", verdict(identical)
    )
    console.print(table)

    phases = Table(title="Where the time goes")
    phases.add_column("Kozak phase")
    for i in range(len(runs)):
        phases.add_column(f"run {i + 1} (s)", justify="right")
    for name in runs[0].phases:
        phases.add_row(name, *(f"{r.phases[name]:.2f}" for r in runs))
    phases.add_row("[bold]total[/]", *(f"[bold]{r.seconds:.2f}[/]" for r in runs))
    console.print(phases)
    ref_table = Table("reference step", "seconds")
    ref_table.add_row("pandas read_csv", f"{reference.read_s:.2f}")
    ref_table.add_row(f"per-row one-hot loop{ref_note}", f"{reference.loop_s:.2f}")
    ref_table.add_row("np.save", f"{reference.save_s:.2f}")
    console.print(ref_table)
    files = Table("stored file", "bytes", title="Kozak version folder")
    for name, size in median_run.files.items():
        files.add_row(name, f"{size:,}")
    console.print(files)

    return {
        "rows": rows,
        "seconds": round(seconds, 3),
        "speedup_vs_tutorial_script": round(speedup, 2),
        "bytes_ratio_vs_float32_onehot": round(ratio, 2),
        "kozak_seconds_runs": [round(r.seconds, 3) for r in runs],
        "kozak_phases_median_run": {k: round(v, 3) for k, v in median_run.phases.items()},
        "reference_seconds": round(reference.seconds, 2),
        "reference_extrapolated": reference.extrapolated,
        "stored_bytes": stored,
        "float32_onehot_bytes": reference.nbytes,
        "onehot_identical": identical,
        "goals_met": {
            "import_le_5s": seconds <= GOAL_SECONDS,
            "speedup_ge_20x": speedup >= GOAL_SPEEDUP,
            "bytes_ratio_ge_10x": ratio >= GOAL_BYTES_RATIO,
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=FULL_ROWS, help="Rows to generate.")
    parser.add_argument("--repeats", type=int, default=3, help="Kozak imports (median is kept).")
    parser.add_argument("--seed", type=int, default=2017, help="Seed of the generated table.")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="kozak-bench-ingest-") as scratch:
        root = Path(scratch)
        progress.print(f"generating {args.rows:,} rows …")
        frame = generate_table(args.rows, args.seed)
        csv_path = root / "GSM2793752_Random_UTRs.csv.gz"
        write_csv_gz(frame, csv_path)
        runs = []
        for i in range(args.repeats):
            progress.print(f"Kozak import {i + 1}/{args.repeats} …")
            runs.append(kozak_import(csv_path, root / f"workspace-{i}"))
        progress.print("reference script (per-row Python loop) …")
        out = root / "reference"
        out.mkdir()
        reference = reference_script(csv_path, out)
        identical = same_tensors(runs[0], reference)
        figures = report(args.rows, frame, csv_path.stat().st_size, runs, reference, identical)
    sys.stdout.flush()
    print(json.dumps(figures))  # plain print: the last line must be one unwrapped JSON object
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
