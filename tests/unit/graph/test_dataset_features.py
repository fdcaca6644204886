"""A saved dataset version feeds shape inference: the yeast presets on the native library."""

from __future__ import annotations

from pathlib import Path

from kozak.data import RankSubset, import_files
from kozak.graph.feature_shapes import feature_infos
from kozak.graph.presets import preset
from kozak.graph.shapes import infer
from kozak.workspace import Workspace


def test_native_library_version_feeds_the_presets(workspace: Workspace, native_utrs: Path) -> None:
    draft = import_files(workspace, [native_utrs], name="Native", project="Yeast")
    draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=10)
    draft.add_subset(RankSubset(name="test", feature="t0", percent=5))
    infos = feature_infos(draft.save())
    assert infos["seq"].shape == (4, 70) and infos["growth_rate"].shape == (1,)
    tutorial = infer(preset("cuperus2017-tutorial"), infos)
    assert tutorial.total_params == 711_681
    paper = infer(preset("cuperus2017"), infos)
    assert paper.total_params == 1_451_137
