"""Preset search spaces: a space, the graph preset it varies and the run settings it implies.

`cuperus2017-search` is the hyperopt search of Cuperus et al. 2017 (notebook 1): conv width
{9, 13, 17, 25}, conv filters {32, 64, 128, 256}, conv layers {2, 3, 4}, dense layers {1, 2},
conv dropout {none, 0.15}, dense dropout {none, 0.1, 0.25, 0.5}, dense units {32, 64, 128,
256} — 3,072 combinations (4·4·3·2·2·4·4) — each trial trained with early stopping
(patience 1) on validation loss, scored by its best validation MSE.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kozak.registry import Registry
from kozak.sweeps.space import Dimension, Repeat, SearchSpace


@dataclass(frozen=True)
class SpacePreset:
    """A named search space with the graph preset it applies to and the settings it implies."""

    name: str
    title: str
    graph_preset: str
    space: SearchSpace
    settings: dict[str, Any] = field(default_factory=dict)


SPACES: Registry[SpacePreset] = Registry("search space")


def _categorical(name: str, values: list[Any], *targets: str, repeat: Repeat | None = None) -> Dimension:
    return Dimension(name=name, values=values, targets=list(targets), repeat=repeat)


SPACES.register(
    "cuperus2017-search",
    SpacePreset(
        name="cuperus2017-search",
        title="Cuperus et al. 2017: the authors' hyperopt search (3,072 combinations)",
        graph_preset="cuperus2017-search",
        space=SearchSpace(
            dimensions=[
                _categorical("conv_width", [9, 13, 17, 25], "conv1.width", "conv2.width"),
                _categorical("conv_filters", [32, 64, 128, 256], "conv1.filters", "conv2.filters"),
                _categorical(
                    "conv_layers", [2, 3, 4], repeat=Repeat(nodes=["conv2", "dropout2"], besides=1)
                ),
                _categorical("dense_layers", [1, 2], repeat=Repeat(nodes=["dense1", "dense_dropout1"])),
                _categorical("conv_dropout", [None, 0.15], "dropout1.rate", "dropout2.rate"),
                _categorical("dense_dropout", [None, 0.1, 0.25, 0.5], "dense_dropout1.rate"),
                _categorical("dense_units", [32, 64, 128, 256], "dense1.units"),
            ]
        ),
        settings={
            "epochs": 100,
            "batch_size": 32,
            "optimizer": {"name": "adam", "lr": 0.001},
            "early_stopping": {"enabled": True, "monitor": "val_loss", "patience": 1},
        },
    ),
)
