"""A ZIP bundle made the way `sidekick.create_dataset` makes one imports as it is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from factories import tiny_onehot_files
from kozak.data import import_files
from kozak.data.versions import load_version
from kozak.workspace import Workspace
from sidekick_client import create_bundle


def test_a_sidekick_bundle_of_one_hot_arrays_is_a_sequence_dataset(
    workspace: Workspace, tiny_dna: Path, tmp_path: Path
) -> None:
    table = pd.read_csv(tiny_dna)
    frame = table[["expression", "count"]].copy()
    frame["seq"] = list(np.load(tiny_onehot_files(tmp_path / "files", tiny_dna)[0]))
    bundle = create_bundle(tmp_path / "bundle.zip", frame)

    draft = import_files(workspace, [bundle], name="Bundle", project="P")
    seq = draft.spec.feature("seq")
    assert seq.type == "sequence" and seq.shape == (4, 22, 1)
    assert (seq.sequence.alignment, seq.sequence.length, seq.sequence.padding) == ("left", 14, 4)  # type: ignore[union-attr]
    version = draft.save()
    assert version.row_count == len(table)
    content = load_version(workspace, version)
    assert content.feature("seq").values.decode() == table["seq"].tolist()  # type: ignore[union-attr]
    np.testing.assert_array_equal(content.feature("expression").values, table["expression"])
