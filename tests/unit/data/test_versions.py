"""Saving versions: content addressing, statistics, atomic failure, reading back, diffs, edits."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kozak.data import (
    Condition,
    FilterSubset,
    RankSubset,
    diff_versions,
    edit_version,
    find_version,
    import_files,
    list_datasets,
    load_version,
    versions,
)
from kozak.errors import AlreadyExists, DataError, InvalidConfig
from kozak.sequences import EncodedSequences
from kozak.workspace import Workspace


def test_tiny_dataset_round_trip(workspace: Workspace, tiny_dna: Path) -> None:
    draft = import_files(workspace, [tiny_dna], name="Tiny", project="Lab")
    assert [f.type.value for f in draft.features] == [
        "string",
        "sequence",
        "float",
        "integer",
        "categorical",
    ]
    draft.rename("expression", "growth_rate").set_normalization("growth_rate", "zscore")
    assert draft.preview(2)[0].keys() == {"id", "seq", "growth_rate", "count", "split"}
    version = draft.save()
    assert version.name == "v1" and version.row_count == 40
    assert version.subset_counts["training"] + version.subset_counts["validation"] == 40
    content = load_version(workspace, version)
    seq = content.feature("seq").values
    assert isinstance(seq, EncodedSequences) and seq.codes.dtype == np.uint8
    stats = content.feature("growth_rate").spec.stats
    training = np.asarray(content.feature("growth_rate").values)[content.masks["training"]]
    assert stats is not None and stats.mean == pytest.approx(training.mean())
    assert version.stats["all"]["seq"]["length"]["min"] >= 10
    assert (
        version.stats["subsets"]["training"]["growth_rate"]["count"] == version.subset_counts["training"]
    )
    assert np.array_equal(content.masks["training"], draft.check().masks["training"])


def test_decoded_sequences_equal_the_file(workspace: Workspace, tiny_dna: Path) -> None:
    version = import_files(workspace, [tiny_dna], name="Tiny").save()
    content = load_version(workspace, version)
    lines = tiny_dna.read_text().splitlines()[1:]
    values = content.feature("seq").values
    assert isinstance(values, EncodedSequences)
    assert values.decode() == [line.split(",")[1] for line in lines]


def test_same_data_and_settings_give_the_same_version(workspace: Workspace, tiny_dna: Path) -> None:
    first = import_files(workspace, [tiny_dna], name="Tiny").save()
    again = import_files(workspace, [tiny_dna], name="Tiny").save()
    assert again.id == first.id
    changed = (
        import_files(workspace, [tiny_dna], name="Tiny").set_encoding("seq", alignment="right").save()
    )
    assert changed.digest != first.digest and changed.name == "v2"
    assert [v.name for _, vs in list_datasets(workspace, "Default") for v in vs] == ["v1", "v2"]


def test_failed_save_leaves_nothing_behind(workspace: Workspace, tiny_dna: Path) -> None:
    import_files(workspace, [tiny_dna], name="Tiny").save("v1")
    draft = import_files(workspace, [tiny_dna], name="Tiny").set_normalization("count", "minmax")
    files_before = workspace.artifacts.list()
    with pytest.raises(AlreadyExists):
        draft.save("v1")  # the name is taken: the row cannot be written
    assert workspace.artifacts.list() == files_before
    assert len(find_version(workspace, "Default", "Tiny")[1].name) == 2


def test_failed_first_import_creates_no_dataset(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("seq,y\nACGTACGTAA,1\nACGTACGTAA,\n")
    with pytest.raises(DataError, match="missing or NaN") as err:
        import_files(workspace, [path], name="Bad").save()
    assert err.value.details["row"] == 2 and err.value.details["column"] == "y"  # from 1
    assert workspace.metadata.list_projects() == []
    assert workspace.artifacts.list() == []


def test_drop_missing_reports_the_count(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "gaps.csv"
    path.write_text("seq,y\nACGTACGTAA,1\nACGTACGTAC,NaN\nACGTACGTAG,\nACGTACGTAT,2\n")
    draft = import_files(workspace, [path], name="Gaps").set_options(drop_missing=True)
    version = draft.save()
    assert version.row_count == 2 and version.stats["dropped_rows"] == 2
    assert any(w["code"] == "rows_dropped" and w["rows"] == 2 for w in version.stats["warnings"])


def test_crash_while_writing_files_leaves_nothing(
    workspace: Workspace, tiny_dna: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_written(content: object, folder: Path, *_: object) -> None:
        (folder / "features").mkdir()
        (folder / "features" / "0.npy").write_bytes(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(versions, "_write", half_written)
    with pytest.raises(OSError, match="disk full"):
        import_files(workspace, [tiny_dna], name="Tiny").save()
    assert workspace.metadata.list_projects() == []
    assert workspace.artifacts.list() == []


def test_leakage_and_overlap_warnings(workspace: Workspace, tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("seq,y\n" + "".join(f"ACGTACGTA{'ACGT'[i % 2]},{i}\n" for i in range(20)))
    draft = import_files(workspace, [path], name="Dup")
    codes = {w["code"] for w in draft.warnings()}
    assert "sequence_leakage" in codes
    draft.add_subset(FilterSubset(name="big", conditions=(Condition(feature="y", op=">", value=5),)))
    assert any(w["code"] == "subset_overlap" for w in draft.warnings())


def test_invalid_edits_are_refused(workspace: Workspace, tiny_dna: Path) -> None:
    draft = import_files(workspace, [tiny_dna], name="Tiny")
    with pytest.raises(AlreadyExists):
        draft.rename("seq", "id")
    with pytest.raises(InvalidConfig):
        draft.set_encoding("count", alignment="right")
    with pytest.raises(InvalidConfig, match="not a subset"):
        draft.set_options(normalize_on="nope").check()
    draft.set_options(normalize_on=None)
    with pytest.raises(InvalidConfig, match="only numbers"):
        draft.set_normalization("split", "zscore").check()


def test_edit_a_version_and_diff(workspace: Workspace, tiny_dna: Path) -> None:
    dataset_v1 = import_files(workspace, [tiny_dna], name="Tiny").save()
    dataset, version = find_version(workspace, "Default", "Tiny@v1")
    draft = edit_version(workspace, dataset, version, "Default")
    draft.rename("seq", "utr").remove_subset("validation")
    draft.add_subset(RankSubset(name="top", feature="count", percent=10))
    v2 = draft.save()
    assert v2.name == "v2" and v2.row_count == dataset_v1.row_count
    diff = diff_versions(dataset_v1, v2)
    assert diff["features"]["added"] == ["utr"] and diff["features"]["removed"] == ["seq"]
    assert diff["subsets"]["added"] == ["top"] and diff["subsets"]["removed"] == ["validation"]
    assert (
        load_version(workspace, v2).feature("utr").values.decode()
        == load_version(workspace, dataset_v1).feature("seq").values.decode()
    )  # type: ignore[union-attr]


def test_a_diff_lists_no_renames_made_before_the_first_save(
    workspace: Workspace, tiny_dna: Path
) -> None:
    """A draft made from a version reads its features by their saved names: where each column
    first came from is provenance, not a change the user made in the new version."""
    v1 = import_files(workspace, [tiny_dna], name="Tiny").rename("expression", "growth_rate").save()
    dataset, version = find_version(workspace, "Default", "Tiny@v1")
    v2 = edit_version(workspace, dataset, version, "Default").remove_subset("validation").save()
    diff = diff_versions(v1, v2)
    assert diff["features"] == {"added": [], "removed": [], "changed": {}}
    assert diff["subsets"]["removed"] == ["validation"]


def test_native_library_reproduces_the_paper_split(workspace: Workspace, native_utrs: Path) -> None:
    draft = import_files(workspace, [native_utrs], name="Native", project="Yeast")
    draft.rename("UTR", "seq").set_encoding("seq", alignment="right", length=50, padding=10)
    for subset in list(draft.spec.subsets):
        draft.remove_subset(subset.name)
    draft.add_subset(RankSubset(name="test", feature="t0", percent=5))
    draft.add_subset(RankSubset(name="training", feature="t0", side="bottom", percent=95))
    draft.add_subset(FilterSubset(name="deep", conditions=(Condition(feature="t0", op=">", value=100),)))
    version = draft.save()
    n = 11_856
    assert version.subset_counts == {
        "test": n - int(n * 0.95),
        "training": int(n * 0.95),
        "deep": 6_710,
    }
    content = load_version(workspace, version)
    t0 = np.asarray(content.feature("t0").values)
    assert t0[content.masks["test"]].min() >= t0[content.masks["training"]].max()
    assert version.spec["features"][2]["sequence"]["alignment"] == "right"
    per_position = version.stats["all"]["seq"]["per_position"]
    coverage = per_position["coverage"]
    assert per_position["window"] == 70 and coverage[:10] == [0] * 10 and coverage[60:] == [0] * 10
    assert coverage[59] == n  # right-aligned: every fragment ends next to the start codon


def test_automatic_version_names_skip_taken_ones(workspace: Workspace, tiny_dna: Path) -> None:
    import_files(workspace, [tiny_dna], name="Tiny").save("v2")
    again = import_files(workspace, [tiny_dna], name="Tiny").set_encoding("seq", alignment="right")
    assert again.save().name == "v1"
    third = import_files(workspace, [tiny_dna], name="Tiny").set_encoding("seq", alignment="center")
    assert third.save().name == "v3"


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d.set_type("count", "decimal"),
        lambda d: d.set_encoding("seq", alignment="middle"),
        lambda d: d.set_normalization("count", "log"),
        lambda d: d.set_options(drop_missing="maybe"),
    ],
)
def test_bad_edits_are_invalid_config_naming_the_field(
    workspace: Workspace, tiny_dna: Path, edit: object
) -> None:
    draft = import_files(workspace, [tiny_dna], name="Tiny")
    with pytest.raises(InvalidConfig):
        edit(draft)  # type: ignore[operator]


def test_two_saves_of_the_same_content_at_once_keep_one_whole_version(
    workspace: Workspace, tiny_dna: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_files(workspace, [tiny_dna], name="Tiny").set_encoding("seq", alignment="right").save()
    both_written = threading.Barrier(2, timeout=30)
    write = versions._write

    def write_then_wait(*args: Any) -> None:
        write(*args)
        both_written.wait()  # neither save has its row yet: both passed the "exists?" check

    monkeypatch.setattr(versions, "_write", write_then_wait)
    saved: list[Any] = []
    threads = [
        threading.Thread(
            target=lambda: saved.append(import_files(workspace, [tiny_dna], name="Tiny").save())
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(saved) == 2 and saved[0].id == saved[1].id and saved[0].name == "v2"
    assert load_version(workspace, saved[0]).n_rows == 40  # its files are whole
    folders = {path.split("/")[2] for path in workspace.artifacts.list("datasets")}
    assert len(folders) == 2  # v1's and v2's: the losing save removed its own copy
