"""Per-sequence interpretation throughput: in-silico mutagenesis and integrated gradients.

ISM: every single substitution of 1,000 random 50-nt UTRs (150 variants each, 150,000 in all)
through `kozak.interpret.ism` (the substitution sites, each variant's one-hot made on the device
from its UTR's, batched forward through the shared `SequenceScorer`, decoding, the effect
matrices), timed against, in the same run, model and precision:

- a bare batched forward: the same variants already one-hot on the device, the model alone, in
  the scorer's batch size;
- a naive loop: one `ServingModel.predict` call per variant (a sample, extrapolated).

Integrated gradients (50 steps, all-zero baseline) of the same 1,000 UTRs: `kozak.interpret`'s
batching (chunks of sequences whose steps fill one scorer batch: 10 UTRs, 500 rows) against
Captum's own default (`internal_batch_size=None`: every step of every input of an `attribute`
call in one forward and backward), called on blocks of 100 UTRs (5,000 rows at once; one call
over all 1,000 would need memory for 50,000 rows of activations, more than this machine has
spare, and would only lose more cache).

All five are timed block by block of 100 UTRs, in turns, so that a change of load on a shared
machine hits each alike.

The machine's limit is measured in the same run: the GEMM peak in the model's compute dtype
(`roofline.py`). The bare forward's FLOP/s (the graph's forward FLOPs per variant) as a share of
it says how much faster any batching could go; the peak over the naive loop's FLOP/s is the
most any batching could gain over one forward per variant here (`ism_speedup_ceiling`).

The model is the paper's architecture (`cuperus2017`, 50 nt right-aligned with 10 padding a
side), trained one epoch on 2,000 UTRs of the simulator's grammar in a temporary workspace, or
an experiment of the workspace `KOZAK_HOME` names (`--project`, `--experiment`). Run:
`OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python benchmarks/interpret.py` (`--precision fp32` or
`bf16` to time one path whatever `auto` picks here). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch
from captum.attr import IntegratedGradients
from rich.console import Console
from rich.table import Table
from roofline import gemm_gflops

from kozak.data import import_files
from kozak.deploy.scoring import SequenceScorer, single_substitutions
from kozak.examples.yeast_simulator import UTR_LENGTH, grammar_table, random_utrs, utr_strings
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import preset
from kozak.interpret import attribute, choose_output, ism, open_model
from kozak.interpret.attributions import ExplainedOutput
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace

console = Console(width=120)


def _simulated_model(workspace: Workspace, folder: Path) -> Experiment:
    """cuperus2017 trained one epoch on 2,000 UTRs labelled with the simulator's grammar."""
    table = grammar_table(2000).rename(columns={"latent": "growth_rate"})
    table.to_csv(folder / "utrs.csv", index=False, float_format="%.5f")
    draft = import_files(workspace, [folder / "utrs.csv"], name="utrs", project="Bench")
    draft.set_encoding("seq", length=UTR_LENGTH, alignment="right", padding=10)
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.split(("training", "validation"), (90, 10), seed=0)
    settings = RunSettings.from_data({"epochs": 1, "batch_size": 64, "precision": "fp32"})
    experiment = create_experiment(
        workspace, "Bench", "cuperus2017", draft.save(), preset("cuperus2017"), settings
    )
    return run_experiment(workspace, experiment)


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=1000)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument(
        "--block", type=int, default=100, help="Sequences per alternation of ISM and bare forward."
    )  # fmt: skip
    parser.add_argument(
        "--naive", type=int, default=200, help="Variants the naive loop scores (spread over blocks)."
    )  # fmt: skip
    parser.add_argument(
        "--precision", default="auto",
        help="auto (what interpretation uses by default: bf16 on CPUs with native bfloat16), fp32 "
        "or bf16.",
    )  # fmt: skip
    parser.add_argument("--project", help="Use this project's experiment (with --experiment).")
    parser.add_argument("--experiment", help="An experiment of the KOZAK_HOME workspace.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        if args.experiment:
            workspace = Workspace.open(Settings())
            experiment = workspace.metadata.get_experiment(
                workspace.metadata.get_project(args.project or "Default").id, args.experiment
            )
        else:
            workspace = Workspace.open(Settings(home=Path(folder) / "home"))
            started = time.perf_counter()
            experiment = _simulated_model(workspace, Path(folder))
            console.print(f"trained cuperus2017 one epoch in {time.perf_counter() - started:.1f} s")
        model = open_model(workspace, experiment, precision=args.precision).model
        scorer = SequenceScorer(model)
        output = choose_output(scorer)
        sequences = utr_strings(random_utrs(args.sequences, seed=1))
        encoded = scorer.encode(sequences)
        variants = single_substitutions(encoded.codes, encoded.lengths, 4)
        count = len(variants)
        per_variant = count // args.sequences
        blocks = range(0, args.sequences, args.block)

        def hot_of(first: int, last: int) -> torch.Tensor:
            rows = slice(first * per_variant, last * per_variant)
            return model.one_hot_codes(
                scorer.feature,
                torch.from_numpy(variants.codes[rows]),
                torch.from_numpy(variants.lengths[rows].astype(np.int64)),
            )

        def bare(hot: torch.Tensor) -> None:
            with torch.inference_mode(), model.precision.autocast():
                for start in range(0, len(hot), scorer.batch_size):
                    outputs = model.model(scorer.batch(hot[start : start + scorer.batch_size]))
                    {name: outputs[name].float().cpu() for name in model.targets}

        naive_per_block = max(1, args.naive // len(blocks))
        module = ExplainedOutput(scorer, output, correct=False, private=False)

        def naive(first: int) -> None:
            rows = variants.codes[first * per_variant : first * per_variant + naive_per_block]
            for sequence in utr_strings(rows):
                model.predict([{scorer.feature: sequence}])

        def captum_default(first: int, last: int) -> None:
            window = model.one_hot_codes(
                scorer.feature,
                torch.from_numpy(encoded.codes[first:last]),
                torch.from_numpy(encoded.lengths[first:last].astype(np.int64)),
            ).float()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                IntegratedGradients(module).attribute(
                    window, torch.zeros_like(window), n_steps=args.steps
                )

        def ours(first: int, last: int) -> None:
            block = sequences[first:last]
            attribute(scorer, block, output, "ig", baseline="zeros", steps=args.steps)

        ism(scorer, sequences[:20], output)  # warm up the kernels once
        bare(hot_of(0, 20))
        # The machine is shared: every way alternates block by block (each block's variants
        # already one-hot for the bare forward, made outside its timing), so a change of load
        # hits all alike; the order turns every block.
        seconds = dict.fromkeys(("ism", "bare", "naive", "ig", "captum"), 0.0)
        for number, first in enumerate(blocks):
            last = min(first + args.block, args.sequences)
            hot = hot_of(first, last)
            work = [
                ("ism", lambda a=first, b=last: ism(scorer, sequences[a:b], output)),
                ("bare", lambda hot=hot: bare(hot)),
                ("naive", lambda a=first: naive(a)),
                ("ig", lambda a=first, b=last: ours(a, b)),
                ("captum", lambda a=first, b=last: captum_default(a, b)),
            ]
            turn = number % len(work)
            for name, run in work[turn:] + work[:turn]:
                seconds[name] += _timed(run)
        ism_s, bare_s, ig_s, captum_s = (seconds[k] for k in ("ism", "bare", "ig", "captum"))
        naive_s = seconds["naive"] * count / (naive_per_block * len(blocks))  # extrapolated
        compute_dtype = torch.bfloat16 if model.precision.used == "bf16" else torch.float32
        peak = gemm_gflops(compute_dtype) if model.device.type == "cpu" else float("nan")
        forward_gflop = model.model.info.total_flops / 1e9  # per variant

    table = Table(
        title=f"interpretation on {model.device} ({model.precision.used}), {args.sequences} UTRs "
        f"of {UTR_LENGTH} nt, batch {scorer.batch_size}"
    )
    table.add_column("work")
    table.add_column("seconds", justify="right")
    table.add_column("rows/s", justify="right")
    ig_rows = args.sequences * args.steps
    for label, seconds, rows in (
        (f"ISM ({count:,} variants), kozak.interpret", ism_s, count),
        ("bare batched forward of the same variants", bare_s, count),
        ("one forward per variant (extrapolated)", naive_s, count),
        (f"integrated gradients ({args.steps} steps), our batching", ig_s, ig_rows),
        (f"integrated gradients, Captum's default ({args.block} UTRs a call)", captum_s, ig_rows),
    ):
        table.add_row(label, f"{seconds:.2f}", f"{rows / seconds:,.0f}")
    console.print(table)
    bare_gflops, naive_gflops = (count * forward_gflop / t for t in (bare_s, naive_s))
    console.print(
        f"{model.precision.used} GEMM peak {peak:,.0f} GFLOP/s; the bare forward reached "
        f"{bare_gflops:,.0f} ({bare_gflops / peak:.2f} of it), one forward per variant "
        f"{naive_gflops:,.0f}: no batching can beat the naive loop by more than "
        f"{peak / naive_gflops:.1f} × here"
    )
    figures = {
        "device": str(model.device),
        "precision": model.precision.used,
        "threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "batch_size": scorer.batch_size,
        "sequences": args.sequences,
        "variants": count,
        "ism_seconds": ism_s,
        "bare_forward_seconds": bare_s,
        "naive_seconds": naive_s,
        "ism_variants_per_s": count / ism_s,
        "ism_ratio_vs_bare_forward": bare_s / ism_s,
        "ism_speedup_vs_naive": naive_s / ism_s,
        "forward_mflop_per_variant": forward_gflop * 1e3,
        "roofline_gflops": peak,
        "bare_forward_gflops": bare_gflops,
        "bare_forward_share_of_roofline": bare_gflops / peak,
        "naive_gflops": naive_gflops,
        "ism_speedup_ceiling": peak / naive_gflops,
        "ig_steps": args.steps,
        "ig_seconds": ig_s,
        "ig_seconds_captum_default": captum_s,
        "ig_captum_default_sequences_per_call": args.block,
        "ig_speedup_vs_captum_default": captum_s / ig_s,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
