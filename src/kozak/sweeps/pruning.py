"""The training callback that reports a trial's per-epoch objective to Optuna and prunes it.

After each epoch it reports the objective metric (as training already measures it) at step
= epoch and, when the sweep's pruner says so, asks the run to stop: the run then ends
`completed` with the message "pruned", its best checkpoint evaluated like any other.
"""

from __future__ import annotations

import math

import optuna

from kozak.training.callbacks import Callback, Metrics, RunControl

PRUNED = "pruned"


class TrialReporter(Callback):
    """Reports `metric` every epoch to a running Optuna trial; prunes when its pruner says so.

    Args:
        trial: A live handle on the trial (`study.trial_handle`).
        metric: The epoch metric the sweep optimises.
        prune: Whether to stop the run when the pruner says so (reports are made either way).
    """

    name = "sweep_trial"
    order = 250  # after the recorder (200): a pruned epoch is logged and checkpointed first

    def __init__(self, trial: optuna.Trial, metric: str, *, prune: bool) -> None:
        self.trial = trial
        self.metric = metric
        self.prune = prune
        self.pruned_epoch: int | None = None

    def on_epoch_end(self, run: RunControl, epoch: int, metrics: Metrics) -> None:
        value = metrics.get(self.metric)
        if value is None or not math.isfinite(value):
            return
        self.trial.report(float(value), epoch)
        if self.prune and epoch < run.settings.epochs and self.trial.should_prune():
            self.pruned_epoch = epoch
            run.request_stop(PRUNED)
