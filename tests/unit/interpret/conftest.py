"""A small convolutional model trained on the simulator's grammar (noise-free latent, 3,000 UTRs).

Module-scoped: one training (about 2 s on one thread) serves every test of a module. Tests that
need exact numbers overwrite the weights of their own `ServingModel` copy (`detector`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from kozak.data import import_files
from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.examples.yeast_simulator import simulate
from kozak.experiments import create_experiment, run_experiment
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.graph import chain
from kozak.settings import Settings
from kozak.store.entities import Experiment
from kozak.training import RunSettings
from kozak.workspace import Workspace

FILTERS = 8


@dataclass(frozen=True)
class Trained:
    workspace: Workspace
    experiment: Experiment
    checkpoint: Path


@pytest.fixture(scope="module")
def grammar(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Trained]:
    folder = tmp_path_factory.mktemp("grammar")
    library = simulate(3_000, seed=1)
    library.table[["UTR"]].assign(latent=library.latent).to_csv(folder / "g.csv", index=False)
    workspace = Workspace.open(Settings(home=folder / "home"))
    draft = import_files(workspace, [folder / "g.csv"], name="grammar", project="P")
    draft.set_encoding("UTR", alignment="right", length=50)
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.split(("training", "validation"), (80, 20), seed=0)
    graph = chain(
        ("UTR", "input", {"feature": "UTR"}),
        ("conv", "conv1d", {"filters": FILTERS, "kernel_size": 3, "activation": "relu"}),
        ("flatten", "flatten", {}),
        ("out", "dense", {"units": 1, "activation": "linear"}),
        ("latent", "target", {"feature": "latent"}),
    )
    settings = RunSettings.from_data(
        {"epochs": 8, "batch_size": 64, "seed": 0, "precision": "fp32",
         "optimizer": {"name": "adam", "lr": 0.02}}
    )  # fmt: skip
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a tiny model trains faster on one thread of a shared machine
    try:
        experiment = run_experiment(
            workspace, create_experiment(workspace, "P", "grammar", draft.save(), graph, settings)
        )
    finally:
        torch.set_num_threads(threads)
    yield Trained(workspace, experiment, experiment_checkpoint(workspace, experiment))


@pytest.fixture
def detector(grammar: Trained) -> SequenceScorer:
    """The grammar model rewired: filter 0 fires 1 exactly on ATG, filter 1 exactly on TAA, the
    others never; the dense layer reads filter 0 at −1 and filter 1 at +0.5 per position."""
    scorer = SequenceScorer(ServingModel.load(grammar.checkpoint, "cpu", "fp32"))
    conv = scorer.model.model.blocks["conv"][0]
    dense = scorer.model.model.blocks["out"]
    with torch.no_grad():
        conv.weight.zero_()
        conv.bias.fill_(-1.0)
        for f, word in ((0, "ATG"), (1, "TAA")):
            for k, letter in enumerate(word):
                conv.weight[f, "ACGT".index(letter), k] = 1.0
            conv.bias[f] = -2.0
        weight = next(p for p in dense.parameters() if p.ndim == 2)  # (1, F * 48), filter-major
        weight.zero_()
        positions = weight.shape[1] // FILTERS
        weight[0, :positions] = -1.0
        weight[0, positions : 2 * positions] = 0.5
    return scorer
