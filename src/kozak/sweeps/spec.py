"""The sweep file: what to search, around which model, for what, how, and for how long.

    name: yeast-search
    project: Yeast
    base: {experiment: cuperus}            # or {dataset: Random UTRs, version: v1, preset: cuperus2017}
    space: cuperus2017-search               # a preset space, or {dimensions: [...]} (see space.py)
    objective: {metric: val_loss, direction: minimize}
    sampler: {name: tpe, seed: 0}           # tpe, random, grid, cmaes
    pruner: {name: median}                  # none, median, successive_halving, hyperband
    budget: {trials: 50, wall_time_s: 7200}
    concurrency: 2
    settings: {epochs: 100}                 # run settings changed for every trial

`SweepSpec` is validated as a whole (unknown keys refused); `load_sweep_file` reads YAML;
`sweep_file_schema()` is its JSON Schema. The base and space are checked against each other by
`kozak.sweeps.lifecycle.create_sweep`, before any trial runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Self

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from kozak.errors import InvalidConfig, invalid_config
from kozak.sweeps.space import SearchSpace

SamplerName = Literal["tpe", "random", "grid", "cmaes"]
PrunerName = Literal["none", "median", "successive_halving", "hyperband"]


MAX_TEXT = 4096  # characters in any string of a sweep file


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_TEXT)


class Base(_Part):
    """The model the search starts from: an experiment, or a version with a graph preset."""

    experiment: str | None = Field(None, description="Experiment id or name: its graph, settings, data.")
    dataset: str | None = Field(None, description="Dataset id or name (without an experiment).")
    version: str | None = Field(None, description="Version id or name of the dataset; default newest.")
    preset: str | None = Field(None, description="Graph preset (without an experiment).")

    @model_validator(mode="after")
    def _one_source(self) -> Base:
        if self.experiment is None and self.dataset is None:
            raise ValueError("base needs an experiment, or a dataset (with a preset or preset space)")
        if self.experiment is not None and self.dataset is not None:
            raise ValueError("base takes an experiment or a dataset, not both")
        return self


class Objective(_Part):
    """What a trial is scored by.

    Without `subset`, `metric` is an epoch metric (val_loss, val_mse, val_pearson_r2, …) and a
    trial scores its best epoch, which is also what the pruner watches. With `subset`, the best
    checkpoint is evaluated on that subset after training and `metric` is one of its metrics
    (mse, pearson_r2, accuracy, …) of `target` (default the only one); pruning needs no subset.
    """

    metric: str = Field("val_loss", min_length=1, description="Metric name.")
    direction: Literal["minimize", "maximize"] = Field(
        "minimize", description="Lower or higher is better."
    )
    subset: str | None = Field(
        None, description="Evaluate this subset after training; none: epoch metric."
    )
    target: str | None = Field(None, description="Target feature (with subset), default the only one.")

    @property
    def per_epoch(self) -> bool:
        """Whether the objective is an epoch metric (and so can steer pruning)."""
        return self.subset is None


class Sampler(_Part):
    """How the next trial's values are chosen (Optuna's samplers)."""

    name: SamplerName = Field("tpe", description="tpe (default), random, grid or cmaes.")
    seed: int = Field(0, ge=0, description="Seed of the sampler (and of every trial's training).")
    startup_trials: int = Field(10, ge=0, description="Random trials before TPE or CMA-ES take over.")


class Pruner(_Part):
    """When a trial is stopped early from its per-epoch objective (Optuna's pruners)."""

    name: PrunerName = Field("none", description="none, median, successive_halving or hyperband.")
    startup_trials: int = Field(3, ge=0, description="Median: trials that finish before any is pruned.")
    warmup_epochs: int = Field(
        1, ge=0, description="Median: epochs a trial trains before it can be pruned."
    )
    min_epochs: int = Field(1, ge=1, description="Successive halving and Hyperband: first rung.")
    reduction_factor: int = Field(3, ge=2, description="Successive halving and Hyperband: η.")


class Budget(_Part):
    """How much searching: trials, and optionally wall time (no trial starts after it)."""

    trials: int = Field(
        20, ge=1, le=10_000, description="Trials to run (invalid combinations not counted)."
    )
    wall_time_s: float | None = Field(None, gt=0, description="Seconds after which no trial starts.")


class SweepRequest(_Part):
    """A sweep without its project: the body of the API's "start a sweep"."""

    name: str = Field(min_length=1, max_length=200, description="Name of the sweep in the project.")
    base: Base = Field(description="The model and data the search starts from.")
    space: str | SearchSpace = Field(description="A preset space's name, or {dimensions: [...]}.")
    objective: Objective = Field(default_factory=Objective, description="What trials are scored by.")
    sampler: Sampler = Field(default_factory=Sampler, description="How values are chosen.")
    pruner: Pruner = Field(default_factory=Pruner, description="When trials are stopped early.")
    budget: Budget = Field(default_factory=Budget, description="How many trials, how long.")
    concurrency: int = Field(1, ge=1, le=256, description="Trials queued at once.")
    settings: dict[str, Any] = Field({}, description="Run settings changed for every trial.")

    @model_validator(mode="after")
    def _pruning_needs_epochs(self) -> Self:
        if self.pruner.name != "none" and not self.objective.per_epoch:
            raise ValueError(
                "pruning watches the objective every epoch: use an epoch metric (no subset) "
                "or pruner none"
            )
        return self


class SweepSpec(SweepRequest):
    """A whole sweep: stored with it, so its trials can be planned by any worker."""

    project: str = Field("default", min_length=1, description="Project id or name.")

    @classmethod
    def from_data(cls, data: Any) -> SweepSpec:
        """Validate parsed YAML/JSON.

        Raises:
            InvalidConfig: Listing every refused field.
        """
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            raise invalid_config(exc, "sweep") from None


def load_sweep_file(path: Path) -> SweepSpec:
    """Read a sweep YAML file.

    Raises:
        InvalidConfig: If the file is not YAML or not a valid sweep.
    """
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InvalidConfig(f"cannot read sweep file {str(path)!r}: {exc}", file=str(path)) from None
    return SweepSpec.from_data(data)


def sweep_file_schema() -> dict[str, Any]:
    """The JSON Schema of a sweep file."""
    return SweepSpec.model_json_schema()
