"""Start sequences: pasted FASTA, CSV and lines; rows of a dataset version; random; the paper's
spread of targets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from kozak.design.starts import StartSequences, parse_text, resolve_starts, spread_indices
from kozak.errors import DataError
from kozak.store.entities import Experiment
from kozak.workspace import Workspace


def test_text_formats() -> None:
    assert parse_text(">a desc\nACGT\nAC\n>b\nGG\n") == (["a", "b"], ["ACGTAC", "GG"])
    assert parse_text("name,sequence\nu1,ACGT\nu2,GGA\n") == (["u1", "u2"], ["ACGT", "GGA"])
    assert parse_text("ACGT\n# a comment\nTTG\n") == (["seq1", "seq2"], ["ACGT", "TTG"])
    with pytest.raises(DataError, match="sequence' column"):
        parse_text("name,value\nu1,3\n")
    with pytest.raises(DataError, match="line 3"):
        parse_text("name,sequence\nu1,ACGT\nu2,\n")
    with pytest.raises(DataError, match="'b' has no sequence"):
        parse_text(">a\nACGT\n>b\n")


def test_spread_is_the_papers_choice() -> None:
    values = np.array([0.0, 0.1, 0.12, 0.5, 0.9, 1.0])
    assert spread_indices(values, 3).tolist() == [0, 3, 5]  # targets 0, 0.5, 1
    assert spread_indices(values, 20).tolist() == [0, 1, 2, 3, 4, 5]  # duplicates dropped


def test_rows_of_a_dataset_version(
    workspace: Workspace, tiny_trained: Experiment, tiny_dna: Path
) -> None:
    version = workspace.metadata.get_dataset_version_by_id(tiny_trained.dataset_version_id)
    frame = pd.read_csv(tiny_dna)

    def resolve(**asked: object) -> tuple[list[str], list[str]]:
        request = StartSequences.model_validate({"source": "dataset", **asked})
        return resolve_starts(
            request, feature="seq", letters="ACGT", window=12, workspace=workspace, version=version
        )

    names, top = resolve(rank_by="expression", pick="top", count=3, name_column="id")
    best = frame.sort_values("expression", ascending=False).head(3)
    assert top == best["seq"].tolist() and names == best["id"].tolist()
    _, low = resolve(rank_by="expression", pick="bottom", count=2)
    assert low == frame.sort_values("expression").head(2)["seq"].tolist()
    _, training = resolve(subset="training", count=1000)
    assert 0 < len(training) < len(frame)
    _, spread = resolve(rank_by="expression", pick="spread", count=5)
    assert len(spread) <= 5 and frame.loc[frame["expression"].idxmax(), "seq"] in spread
    with pytest.raises(DataError, match="numeric"):
        resolve(rank_by="seq", pick="top")
    with pytest.raises(DataError, match="no subset"):
        resolve(subset="nope")
    with pytest.raises(DataError, match="needs rank_by"):
        resolve(pick="top")


def test_random_starts_are_seeded() -> None:
    request = StartSequences(source="random", count=4, length=9, seed=3)
    names, first = resolve_starts(request, feature="seq", letters="ACGT", window=12)
    assert names[0] == "random1" and len(first) == 4 and all(len(s) == 9 for s in first)
    assert resolve_starts(request, feature="seq", letters="ACGT", window=12)[1] == first
