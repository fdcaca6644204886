"""The paper's in-silico evolution (Cuperus et al. 2017, Notebook 4), on a trained model.

Starts: from a library file (native: rows with t0 > 100 whose `UTR_name` ends in `:0`; random:
rows with t0 > 100), the UTR nearest each of 106 evenly spaced growth rates, duplicates dropped
(100 for the native library). Search: the greedy ascent over every single substitution inside the
sequence, 40 rounds, no other constraint. Figures: start and final mean predicted growth, gain,
edits, the round of the last change, and the share of sequences holding an ATG, beside the
figures of the authors' released trajectories (`PAPER_EVOLUTION`).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kozak.deploy.scoring import SequenceScorer
from kozak.design.engine import run_design
from kozak.design.results import DesignResult
from kozak.design.settings import DesignSettings
from kozak.design.starts import spread_indices

TARGETS = 106  # Notebook 4: 106 targets, 100 distinct nearest native UTRs
ROUNDS = 40

# From the authors' Results/EvolvedUTRs CSVs (../shared/reference/benchmarks.md §5).
PAPER_EVOLUTION: dict[str, dict[str, float]] = {
    "native": {
        "start_mean_pred": 0.141,
        "final_mean_pred": 2.99,
        "mean_gain": 2.85,
        "median_gain": 2.70,
        "mean_edits": 16,
        "median_converged_round": 17.5,
        "atg_share_start": 0.28,
        "atg_share_final": 0.10,
    },
    "random": {
        "start_mean_pred": -0.366,
        "final_mean_pred": 3.86,
        "mean_gain": 4.23,
        "mean_edits": 24,
        "median_converged_round": 26,
        "atg_share_start": 0.36,
        "atg_share_final": 0.23,
    },
}


def paper_starts(path: Path, library: str, targets: int = TARGETS) -> tuple[list[str], list[str]]:
    """(names, sequences) of the paper's starts from a library file (native or random)."""
    frame = pd.read_csv(path)
    pool = frame[frame["t0"] > 100]
    if library == "native":
        pool = pool[pool["UTR_name"].astype(str).str.split(":").str[-1] == "0"]
    pool = pool.reset_index(drop=True)
    chosen = spread_indices(pool["growth_rate"].to_numpy(dtype=np.float64), targets)
    rows = pool.iloc[chosen]
    names = (
        rows["UTR_name"].astype(str).tolist() if "UTR_name" in rows else [f"random{i}" for i in chosen]
    )
    return names, rows["UTR"].astype(str).tolist()


def evolve(
    scorer: SequenceScorer, names: Sequence[str], sequences: Sequence[str], rounds: int = ROUNDS
) -> DesignResult:
    """The paper's greedy ascent: `rounds` rounds, no constraint, maximise the prediction."""
    return run_design([scorer], sequences, DesignSettings(rounds=rounds), names=names)


def figures(result: DesignResult) -> dict[str, Any]:
    """The replication's figures for one start set."""
    start = np.array([d.start_prediction for d in result.designs])
    final = np.array([d.prediction for d in result.designs])
    edits = np.array([len(d.edits) for d in result.designs])
    last = np.array([d.last_change for d in result.designs])
    return {
        "starts": len(result.designs),
        "start_mean_pred": float(start.mean()),
        "final_mean_pred": float(final.mean()),
        "mean_gain": float((final - start).mean()),
        "median_gain": float(np.median(final - start)),
        "improved_share": float((final > start).mean()),
        "mean_edits": float(edits.mean()),
        "median_edits": float(np.median(edits)),
        "median_converged_round": float(np.median(last)),
        "converged_share": float(np.mean([d.converged for d in result.designs])),
        "atg_share_start": float(np.mean(["ATG" in d.start for d in result.designs])),
        "atg_share_final": float(np.mean(["ATG" in d.sequence for d in result.designs])),
        "seconds": result.seconds,
        "candidates_scored": result.candidates_scored,
    }
