"""Evaluation: metrics per task and plot data, as pure functions (NumPy in, JSON-able dicts out).

The training loop, the CLI, the server and the UI all call these; none of them reads files,
touches a store or prints. Bad inputs raise `KozakError` subclasses (see each function).
"""

from kozak.evaluation.classification import classification_metrics, multilabel_metrics
from kozak.evaluation.plots import residual_histogram, scatter_data
from kozak.evaluation.regression import pearson_r, regression_metrics, spearman_rho

__all__ = [
    "classification_metrics",
    "multilabel_metrics",
    "pearson_r",
    "regression_metrics",
    "residual_histogram",
    "scatter_data",
    "spearman_rho",
]
