"""Design scoring throughput and the paper's 100 × 40-round evolution, on a trained model.

Candidates are every single substitution of the paper's 100 native starts (about 14,000). Three
ways of scoring them are timed in the same run, on the same model, device and precision:

- the design loop: one greedy round (`kozak.design.strategies.greedy`: candidate generation,
  constraint checks, encoding, batched forward, decoding, selection);
- a bare batched forward: the same candidates already one-hot on the device, the model alone,
  in the same batch size and precision;
- a naive loop: one `ServingModel.predict` call per candidate (a sample, extrapolated).

Then the paper's run (100 starts, 40 greedy rounds) is timed end to end, and the same starts
with gradient-guided proposals (16 exact scores per sequence a round). The model is the
latest trained experiment of the Yeast project (or `--experiment`) in the workspace `KOZAK_HOME`
names. Run: `KOZAK_HOME=... OMP_NUM_THREADS=1 nice -n 5 .venv/bin/python benchmarks/design.py
--native ../shared/data/cuperus2017/Native_UTRs.csv.gz`. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

import numpy as np
import torch
from rich.console import Console
from rich.table import Table

from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer, single_substitutions
from kozak.design.constraints import ConstraintSet
from kozak.design.engine import run_design
from kozak.design.objective import Evaluator
from kozak.design.paper import evolve, figures, paper_starts
from kozak.design.settings import DesignSettings
from kozak.design.state import DesignState
from kozak.design.strategies import Search, greedy
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.settings import Settings
from kozak.workspace import Workspace

console = Console(width=120)


def _median_time(work, repeats: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--native", type=Path, required=True, help="Native_UTRs.csv.gz")
    parser.add_argument("--experiment", help="Experiment name in the Yeast project (default: latest).")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--naive", type=int, default=100, help="Candidates the naive loop scores.")
    args = parser.parse_args()

    workspace = Workspace.open(Settings())
    project = workspace.metadata.get_project("Yeast")
    if args.experiment:
        experiment = workspace.metadata.get_experiment(project.id, args.experiment)
    else:
        done = [e for e in workspace.metadata.list_experiments(project.id) if e.best_epoch is not None]
        experiment = max(done, key=lambda e: e.updated_at)
    model = ServingModel.load(experiment_checkpoint(workspace, experiment))
    scorer = SequenceScorer(model)
    names, sequences = paper_starts(args.native, "native")
    settings = DesignSettings(rounds=1)
    evaluator = Evaluator([scorer], settings.objective)
    constraints = ConstraintSet(settings.constraints, evaluator.alphabet)
    encoded = scorer.encode(sequences)
    first = evaluator(encoded.codes, encoded.lengths)
    subs = single_substitutions(encoded.codes, encoded.lengths, 4)
    count = len(subs)

    def loop_round() -> None:
        state = DesignState.begin(names, encoded.codes, encoded.lengths, first, "ACGT")
        search = Search(
            evaluator, constraints, settings, np.random.default_rng(0),
            constraints.allowed_positions(encoded.lengths, encoded.max_length),
            constraints.motif_hits(encoded.codes),
        )  # fmt: skip
        greedy(state, search, 1)

    hot = model.one_hot_codes(
        scorer.feature, torch.from_numpy(subs.codes), torch.from_numpy(subs.lengths.astype(np.int64))
    )

    def bare() -> None:
        with torch.inference_mode(), model.precision.autocast():
            for start in range(0, count, scorer.batch_size):
                outputs = model.model({scorer.feature: hot[start : start + scorer.batch_size]})
                {name: outputs[name].float().cpu() for name in model.targets}

    sample = subs.codes[: args.naive]
    sample_sequences = [
        "".join("ACGT"[c] for c in row[:n])
        for row, n in zip(sample, subs.lengths[: args.naive], strict=True)
    ]

    def naive() -> None:
        for sequence in sample_sequences:
            model.predict([{scorer.feature: sequence}])

    loop_round()  # warm up the kernels once
    bare()
    # The machine is shared: alternate the three so a change of load hits them alike.
    loop_times, bare_times, naive_times = [], [], []
    for _ in range(args.repeats):
        loop_times.append(_median_time(loop_round, 1))
        bare_times.append(_median_time(bare, 1))
        naive_times.append(_median_time(naive, 1) * count / len(sample_sequences))
    loop_s, bare_s = statistics.median(loop_times), statistics.median(bare_times)
    naive_s = statistics.median(naive_times)

    started = time.perf_counter()
    result = evolve(scorer, names, sequences, args.rounds)
    paper_s = time.perf_counter() - started
    found = figures(result)

    started = time.perf_counter()
    guided = run_design(
        [scorer], sequences, DesignSettings(strategy="gradient", rounds=args.rounds, proposals=16),
        names=names,
    )  # fmt: skip
    guided_s = time.perf_counter() - started
    guided_figures = figures(guided)

    table = Table(title=f"design scoring on {model.device} ({model.precision.used}), {count} candidates")
    table.add_column("method")
    table.add_column("seconds", justify="right")
    table.add_column("candidates/s", justify="right")
    for label, seconds in (("design loop (one greedy round)", loop_s), ("bare batched forward", bare_s),
                           ("naive loop (one forward each, extrapolated)", naive_s)):  # fmt: skip
        table.add_row(label, f"{seconds:.3f}", f"{count / seconds:,.0f}")
    console.print(table)
    console.print(
        f"paper run: {len(sequences)} starts × {args.rounds} rounds in {paper_s:.1f} s "
        f"({result.rounds} rounds run, {result.candidates_scored:,} candidates); "
        f"mean predicted growth {found['start_mean_pred']:.3f} → {found['final_mean_pred']:.3f}"
    )
    console.print(
        f"gradient-guided (16 proposals a round): {guided_s:.1f} s, {guided.candidates_scored:,} "
        f"candidates; mean predicted growth {guided_figures['start_mean_pred']:.3f} → "
        f"{guided_figures['final_mean_pred']:.3f}"
    )
    figures_line = {
        "device": str(model.device),
        "precision": model.precision.used,
        "threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS", ""),
        "batch_size": scorer.batch_size,
        "candidates": count,
        "loop_candidates_per_s": count / loop_s,
        "bare_candidates_per_s": count / bare_s,
        "naive_candidates_per_s": count / naive_s,
        "ratio_vs_bare_forward": bare_s / loop_s,
        "speedup_vs_naive": naive_s / loop_s,
        "paper_run_seconds": paper_s,
        "paper_run_rounds": result.rounds,
        "paper_run_candidates": result.candidates_scored,
        "paper_run_final_mean": found["final_mean_pred"],
        "gradient_run_seconds": guided_s,
        "gradient_run_candidates": guided.candidates_scored,
        "gradient_run_final_mean": guided_figures["final_mean_pred"],
        "gpu": torch.cuda.is_available(),
    }
    print(json.dumps(figures_line))


if __name__ == "__main__":
    main()
