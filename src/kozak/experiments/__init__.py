"""Experiments: a graph trained on a dataset version with run settings, recorded in the workspace.

experiment = create_experiment(workspace, "Yeast", "tutorial", version, graph, settings)
run_experiment(workspace, experiment)            # trains, logs epochs, evaluates the best
clone_experiment(workspace, experiment, "wider", with_weights=True)
"""

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
