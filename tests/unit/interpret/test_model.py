"""Opening an experiment for interpretation: its run's precision and subsets; filters in fp32."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from factories import tiny_experiment
from kozak.experiments import run_experiment
from kozak.interpret import open_model, per_model
from kozak.interpret.filters import FilterSettings
from kozak.training.precision import AUTO_OVERRIDE
from kozak.workspace import Workspace


def test_the_run_precision_is_followed_but_filters_read_in_fp32(
    workspace: Workspace, tiny_dna: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))
    monkeypatch.setenv(AUTO_OVERRIDE, "bf16")  # what `auto` picks on a CPU with AMX
    opened = open_model(workspace, experiment)
    assert (opened.model.precision.requested, opened.model.precision.used) == ("auto", "bf16")
    assert (opened.training_subset, opened.validation_subset) == ("training", "validation")
    assert opened.default_subset(None) == "validation" and opened.default_subset("all") == "all"
    assert open_model(workspace, experiment, precision="fp32").model.precision.used == "fp32"

    seen: list[str] = []

    def analysis(scorer: Any, data: Any, output: Any, settings: Any) -> str:
        seen.append(scorer.model.precision.used)
        return "analysed"

    monkeypatch.setattr(per_model, "analyze_filters", analysis)
    monkeypatch.setattr(per_model, "motif_effects", analysis)
    per_model.experiment_filters(workspace, experiment, FilterSettings(sequences=5))
    per_model.experiment_motif_effects(workspace, experiment)
    assert seen == ["fp32", "bf16"]
