"""TF-MoDISco on the grammar model: the upstream ATG comes back as a negative pattern."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from kozak.interpret.modisco import ModiscoSettings, ModiscoUnavailable, modisco_available
from kozak.interpret.per_model import experiment_modisco


@pytest.mark.slow  # about 35 s on one core, most of it TF-MoDISco's clustering
def test_the_uatg_is_a_negative_pattern(grammar: Any) -> None:
    if not modisco_available():
        pytest.skip("modisco-lite is not installed (the optional extra kozak[modisco])")
    summary = experiment_modisco(
        grammar.workspace, grammar.experiment, ModiscoSettings(sequences=600), device="cpu"
    )
    cores = {
        p.name: "".join("ACGT"[i] for i in np.asarray(p.probabilities).argmax(axis=0))
        for p in summary.patterns
    }
    assert any(name.startswith("neg") and "ATG" in core for name, core in cores.items()), cores


def test_without_modisco_lite_the_error_says_how_to_install(
    grammar: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kozak.interpret.modisco.modisco_available", lambda: False)
    with pytest.raises(ModiscoUnavailable, match=r"kozak\[modisco\]"):
        experiment_modisco(grammar.workspace, grammar.experiment, device="cpu")
