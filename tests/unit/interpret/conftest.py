"""Tiny trained models to explain: a right-aligned padded conv regression, a two-input
regression and a two-class classifier, each with its fp32 scorer."""

from __future__ import annotations

from pathlib import Path

import pytest

from factories import UATG_CLASSIFIER, uatg_csv
from kozak.data import import_files
from kozak.deploy.scoring import SequenceScorer
from kozak.experiments import create_experiment, run_experiment
from kozak.graph.graph_spec import GraphSpec
from kozak.interpret import open_model
from kozak.training import RunSettings
from kozak.workspace import Workspace

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

TWO_INPUTS = """
name: seq-and-count
nodes:
  - {id: seq, type: input, params: {feature: seq}}
  - {id: flat, type: flatten, params: {}}
  - {id: count, type: input, params: {feature: count}}
  - {id: join, type: concatenate, params: {axis: -1}}
  - {id: out, type: dense, params: {units: 1, activation: linear}}
  - {id: expression, type: target, params: {feature: expression}}
edges: [[seq, flat], [flat, join], [count, join], [join, out], [out, expression]]
"""

SETTINGS = {"epochs": 2, "batch_size": 8}


def _scorer(
    workspace: Workspace, project: str, name: str, draft: object, graph: str, **context: float
) -> SequenceScorer:
    experiment = create_experiment(
        workspace, project, name, draft.save(), GraphSpec.from_yaml(graph),  # type: ignore[attr-defined]
        RunSettings.from_data(SETTINGS),
    )  # fmt: skip
    return SequenceScorer(open_model(workspace, run_experiment(workspace, experiment)), context=context)


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
