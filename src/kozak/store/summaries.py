"""What an experiment's list row shows, kept on its row so that lists sort and filter in SQL.

The store keeps these up to date itself, so every writer gets them right:

- `best_metric`, `best_value`: the monitored metric (early stopping's `monitor`, `val_loss` by
  default) at `best_epoch`, from that epoch's stored metrics; None before any best epoch.
- `best_score`: `best_value` turned so that lower is always better (negated when the metric's
  `mode` is `max`): the "Best" sort is ascending `best_score`, best first whatever the metric.
- `epochs_planned`: the run settings' `epochs`.

`param_count` is set by the experiments layer (it needs the graph's shapes), not here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

DERIVED = frozenset({"best_metric", "best_value", "best_score", "epochs_planned"})


def monitor_of(settings: Mapping[str, Any]) -> tuple[str, str]:
    """The monitored metric and whether lower (`min`) or higher (`max`) is better."""
    early = settings.get("early_stopping") or {}
    mode = early.get("mode", "min")
    return str(early.get("monitor", "val_loss")), "max" if mode == "max" else "min"


def planned_epochs(settings: Mapping[str, Any]) -> int:
    """Epochs the run settings plan (0 when they say none)."""
    try:
        return int(settings.get("epochs", 0) or 0)
    except (TypeError, ValueError):
        return 0


def best_summary(
    settings: Mapping[str, Any], best_epoch: int | None, metrics: Mapping[str, Any] | None
) -> dict[str, Any]:
    """`best_metric`, `best_value`, `best_score` from the best epoch's metrics (None: not logged)."""
    name, mode = monitor_of(settings)
    if best_epoch is None or metrics is None:
        return {"best_metric": None, "best_value": None, "best_score": None}
    raw = metrics.get(name)
    value = float(raw) if isinstance(raw, int | float) and raw == raw else None  # NaN: no value
    score = None if value is None else (-value if mode == "max" else value)
    return {"best_metric": name, "best_value": value, "best_score": score}
