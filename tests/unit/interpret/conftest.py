"""Models to interpret.

- `grammar`: a small convolutional model trained on the simulator's grammar (noise-free latent,
  3,000 UTRs), module-scoped: one training (about 2 s on one thread) serves every test of a
  module. Tests that need exact numbers overwrite the weights of their own `ServingModel` copy
  (`detector`).
- `right_aligned`, `two_inputs`, `classifier`: tiny trained models to explain (a right-aligned
  padded conv regression, a two-input regression and a two-class classifier), each with its
  fp32 scorer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch

from factories import TWO_INPUTS, UATG_CLASSIFIER, uatg_csv
from kozak.data import import_files
from kozak.deploy.model import ServingModel
from kozak.deploy.scoring import SequenceScorer
from kozak.examples.yeast_simulator import simulate
from kozak.experiments import create_experiment, run_experiment
from kozak.experiments.checkpoints import experiment_checkpoint
from kozak.graph import chain
from kozak.graph.graph_spec import GraphSpec
from kozak.interpret import open_model
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


CONV = """
name: conv
nodes:
  - {id: seq, type: input, params: {feature: seq}}
  - {id: conv, type: conv1d, params: {filters: 4, kernel_size: 3, activation: relu}}
  - {id: flat, type: flatten, params: {}}
  - {id: out, type: dense, params: {units: 1, activation: linear}}
  - {id: expression, type: target, params: {feature: expression}}
edges: [[seq, conv], [conv, flat], [flat, out], [out, expression]]
"""

SETTINGS = {"epochs": 2, "batch_size": 8}


def _scorer(
    workspace: Workspace, project: str, name: str, draft: object, graph: str, **context: float
) -> SequenceScorer:
    experiment = create_experiment(
        workspace, project, name, draft.save(), GraphSpec.from_yaml(graph),  # type: ignore[attr-defined]
        RunSettings.from_data(SETTINGS),
    )  # fmt: skip
    opened = open_model(workspace, run_experiment(workspace, experiment), precision="fp32")
    return SequenceScorer(opened.model, context=context)


@pytest.fixture
def right_aligned(workspace: Workspace, tiny_dna: Path) -> SequenceScorer:
    """Sequences right-aligned in 16 positions with 3 padding columns each side (a 22-wide
    window); `expression` z-scored, so attributions are checked in its units."""
    draft = import_files(workspace, [tiny_dna], name="right", project="P")
    draft.set_encoding("seq", length=16, alignment="right", padding=3)
    draft.set_normalization("expression", "zscore")
    return _scorer(workspace, "P", "right", draft, CONV)


@pytest.fixture
def two_inputs(workspace: Workspace, tiny_dna: Path) -> SequenceScorer:
    """A regression on `seq` (left-aligned, 12 positions) and `count`, held at 50."""
    draft = import_files(workspace, [tiny_dna], name="two", project="P")
    draft.set_encoding("seq", length=12).set_type("count", "float")
    draft.set_normalization("count", "zscore")
    return _scorer(workspace, "P", "two", draft, TWO_INPUTS, count=50.0)


@pytest.fixture
def classifier(workspace: Workspace, tmp_path: Path) -> SequenceScorer:
    """Two classes, `none` and `uatg`, from 16-nt sequences."""
    draft = import_files(workspace, [uatg_csv(tmp_path / "uatg.csv", 60, 16)], name="clf", project="P")
    return _scorer(workspace, "P", "clf", draft, UATG_CLASSIFIER)
