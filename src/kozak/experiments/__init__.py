"""Experiments: a graph trained on a dataset version with run settings, recorded in the workspace.

experiment = create_experiment(workspace, "Yeast", "tutorial", version, graph, settings)
run_experiment(workspace, experiment)            # trains, logs epochs, evaluates the best
clone_experiment(workspace, experiment, "wider", with_weights=True)

These names load their modules on first use: a process that only lists experiments (a bulk
process, `kozak.server.bulk`) imports `kozak.experiments.listing` and not PyTorch with it.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kozak.experiments.compare import compare_experiments, evaluate_on_file, export_predictions
    from kozak.experiments.experiment_file import ExperimentFile, run_file
    from kozak.experiments.lifecycle import (
        clone_experiment,
        continue_experiment,
        create_experiment,
        evaluate_experiment,
        get_experiment,
        list_experiments,
        run_experiment,
        stored_evaluation,
    )

__all__ = [
    "ExperimentFile",
    "clone_experiment",
    "compare_experiments",
    "continue_experiment",
    "create_experiment",
    "evaluate_experiment",
    "evaluate_on_file",
    "export_predictions",
    "get_experiment",
    "list_experiments",
    "run_experiment",
    "run_file",
    "stored_evaluation",
]
_HOMES = ("lifecycle", "compare", "experiment_file")  # the modules that define those names


def __getattr__(name: str) -> Any:
    if name in __all__:
        for home in _HOMES:
            module = importlib.import_module(f"{__name__}.{home}")
            if hasattr(module, name):
                globals()[name] = value = getattr(module, name)
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
