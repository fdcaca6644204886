"""Hyperparameter sweeps: a search space around a model, searched by Optuna, trials as experiments.

spec = load_sweep_file(Path("search.yaml"))             # or SweepSpec.from_data({...})
sweep = create_sweep(workspace, spec)                  # validated; the Optuna study is created
trial = plan_trial(workspace, sweep)                   # one experiment with sampled values

Each trial is an ordinary experiment, so curves, evaluation, comparison, clone and deploy work
on it unchanged. Queueing trials as jobs, and running them, is `kozak.runner.sweep_jobs`.
"""

from kozak.sweeps.lifecycle import (
    best_trial,
    close_if_done,
    create_sweep,
    delete_sweep,
    finish_trial,
    get_sweep,
    importances,
    plan_trial,
    space_of,
    sweep_spec,
)
from kozak.sweeps.presets import SPACES
from kozak.sweeps.space import Dimension, Repeat, SearchSpace
from kozak.sweeps.spec import SweepSpec, load_sweep_file, sweep_file_schema

__all__ = [
    "SPACES",
    "Dimension",
    "Repeat",
    "SearchSpace",
    "SweepSpec",
    "best_trial",
    "close_if_done",
    "create_sweep",
    "delete_sweep",
    "finish_trial",
    "get_sweep",
    "importances",
    "load_sweep_file",
    "plan_trial",
    "space_of",
    "sweep_file_schema",
    "sweep_spec",
]
