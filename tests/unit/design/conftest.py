"""A tiny trained model (one dense layer on 12-nt sequences) and its fp32 scorer."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import tiny_experiment
from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.experiments import run_experiment
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


@pytest.fixture
def tiny_trained(workspace: Workspace, tiny_dna: Path) -> Experiment:
    return run_experiment(workspace, tiny_experiment(workspace, "P", tiny_dna))


@pytest.fixture
def scorer(workspace: Workspace, tiny_trained: Experiment) -> SequenceScorer:
    """fp32, so brute-force comparisons do not depend on bf16 rounding."""
    path = experiment_checkpoint(workspace, tiny_trained)
    return SequenceScorer(ServingModel.load(path, "cpu", "fp32"))
