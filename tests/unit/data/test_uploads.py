"""Persisted drafts: streamed uploads, detection, edits stored as specs, saving, datasets."""

from __future__ import annotations

import asyncio
import io
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from kozak.data import uploads
from kozak.data.versions import load_version
from kozak.errors import AlreadyExists, Conflict, DataError, InvalidConfig, LimitExceeded, NotFound
from kozak.settings import Settings
from kozak.store.entities import Draft, Experiment, Project
from kozak.workspace import Workspace


@pytest.fixture
def project(workspace: Workspace) -> Project:
    return workspace.metadata.create_project(Project(name="Yeast"))


def chunks(data: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def one_hot_npy(rows: int, length: int = 20, seed: int = 0) -> bytes:
    codes = np.random.default_rng(seed).integers(0, 4, (rows, length))
    array = np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1)  # (N, 4, L)
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def uploaded(workspace: Workspace, project: Project, tiny_dna: Path, name: str = "Tiny") -> Draft:
    draft = uploads.create_draft(workspace, project, name, created_by="alice")
    return uploads.add_file(workspace, draft, "tiny.csv", chunks(tiny_dna.read_bytes()))


def stored_files(workspace: Workspace, draft: Draft) -> list[str]:
    return workspace.artifacts.list(f"drafts/{draft.id}")


def test_upload_streams_detects_and_records(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    data = tiny_dna.read_bytes()
    [entry] = draft.files
    assert entry["name"] == "tiny.csv" and entry["size"] == len(data)
    assert entry["path"] == f"drafts/{draft.id}/files/tiny.csv"
    assert workspace.artifacts.get_bytes(entry["path"]) == data
    assert draft.spec is not None and [f["type"] for f in draft.spec["features"]] == [
        "string",
        "sequence",
        "float",
        "integer",
        "categorical",
    ]
    view = uploads.draft_view(workspace, draft, rows=3)
    assert view["row_count"] == 40 and len(view["preview"]) == 3 and view["error"] is None
    assert [s["definition"].name for s in view["subsets"]] == ["training", "validation"]
    assert sum(s["rows"] for s in view["subsets"]) == 40
    seq = next(f for f in view["features"] if f["name"] == "seq")
    assert seq["detected_type"] == "sequence" and seq["file"] == "tiny.csv"
    assert seq["tensor_shape"][0] == 4 and view["stats"] is None
    assert uploads.draft_view(workspace, draft, stats=True)["stats"]["all"]["count"]["count"] == 40


def test_upload_again_replaces_the_file(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    draft = uploads.update_feature(workspace, draft, "expression", new_name="growth_rate")
    lines = tiny_dna.read_text().splitlines()
    edited = "\n".join([lines[0], *[line.replace(",T", ",V") for line in lines[1:]]]) + "\n"
    draft = uploads.add_file(workspace, draft, "tiny.csv", [edited.encode()])
    assert len(draft.files) == 1 and draft.files[0]["size"] == len(edited.encode())
    assert draft.spec is not None and "growth_rate" in [f["name"] for f in draft.spec["features"]]
    assert uploads.draft_view(workspace, draft)["preview"][1]["split"] == "V"


def test_oversized_upload_leaves_nothing(tmp_path: Path, tiny_dna: Path) -> None:
    workspace = Workspace.open(Settings(home=tmp_path / "small", max_upload_bytes=500))
    project = workspace.metadata.create_project(Project(name="P"))
    draft = uploads.create_draft(workspace, project, "Tiny")
    with pytest.raises(LimitExceeded) as caught:
        uploads.add_file(workspace, draft, "tiny.csv", chunks(tiny_dna.read_bytes()))
    assert caught.value.details == {"file": "tiny.csv", "limit": 500}
    with pytest.raises(LimitExceeded):  # announced too large: refused before any byte
        uploads.add_file(workspace, draft, "tiny.csv", iter(()), expected_size=501)
    assert stored_files(workspace, draft) == []
    assert list((tmp_path / "small/artifacts/drafts").rglob("*.csv")) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


def test_cut_off_upload_leaves_nothing(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploads.create_draft(workspace, project, "Tiny")

    def broken() -> Iterator[bytes]:
        yield tiny_dna.read_bytes()[:300]
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        uploads.add_file(workspace, draft, "tiny.csv", broken())
    assert stored_files(workspace, draft) == []
    assert list((workspace.settings.home / "artifacts").rglob("*tiny.csv")) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


def test_async_upload(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploads.create_draft(workspace, project, "Tiny")

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks(tiny_dna.read_bytes(), 64):
            yield chunk

    updated = asyncio.run(uploads.add_file_async(workspace, draft, "tiny.csv", body()))
    assert updated.files[0]["size"] == tiny_dna.stat().st_size


def test_malformed_file_is_refused_naming_row_and_column(workspace: Workspace, project: Project) -> None:
    draft = uploads.create_draft(workspace, project, "Bad")
    with pytest.raises(DataError) as caught:
        uploads.add_file(workspace, draft, "bad.csv", [b"a,b\n1,2\n3,4,5,6\n"])
    assert caught.value.details["file"] == "bad.csv"
    assert stored_files(workspace, draft) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


@pytest.mark.parametrize("name", ["../x.csv", "a/b.csv", "..", ".hidden.csv", "", "c:x.csv", "a\\b.csv"])
def test_file_names_are_plain(workspace: Workspace, project: Project, name: str) -> None:
    draft = uploads.create_draft(workspace, project, "Tiny")
    with pytest.raises(InvalidConfig) as caught:
        uploads.add_file(workspace, draft, name, [b"a\n1\n"])
    assert caught.value.details["field"] == "filename"


def test_unknown_extension_is_refused_before_storing(workspace: Workspace, project: Project) -> None:
    draft = uploads.create_draft(workspace, project, "Tiny")
    with pytest.raises(DataError, match="unknown file type"):
        uploads.add_file(workspace, draft, "table.exe", [b"a\n1\n"])


def test_csv_and_npy_combine_and_mismatched_rows_are_refused(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    draft = uploads.add_file(workspace, draft, "onehot.npy", [one_hot_npy(40)])
    assert [f["name"] for f in draft.files] == ["tiny.csv", "onehot.npy"]
    view = uploads.draft_view(workspace, draft, rows=2)
    onehot = next(f for f in view["features"] if f["name"] == "onehot")
    assert onehot["type"] == "sequence" and onehot["tensor_shape"] == [4, 20]
    assert isinstance(view["preview"][0]["onehot"], str) and len(view["preview"][0]["onehot"]) == 20
    with pytest.raises(DataError, match="row counts match"):
        uploads.add_file(workspace, draft, "short.npy", [one_hot_npy(39)])
    assert [f["name"] for f in workspace.metadata.get_draft(project.id, draft.id).files] == [
        "tiny.csv",
        "onehot.npy",
    ]
    assert not workspace.artifacts.exists(f"drafts/{draft.id}/files/short.npy")


def test_removing_a_file_removes_its_features(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    draft = uploads.add_file(workspace, draft, "onehot.npy", [one_hot_npy(40)])
    draft = uploads.remove_feature(workspace, draft, "id")
    draft = uploads.remove_file(workspace, draft, "onehot.npy")
    assert draft.spec is not None
    assert [f["name"] for f in draft.spec["features"]] == ["seq", "expression", "count", "split"]
    assert not workspace.artifacts.exists(f"drafts/{draft.id}/files/onehot.npy")
    draft = uploads.remove_file(workspace, draft, "tiny.csv")
    assert draft.files == [] and draft.spec is None
    with pytest.raises(NotFound):
        uploads.remove_file(workspace, draft, "tiny.csv")


def test_edits_persist_as_the_spec(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    draft = uploads.remove_subset(workspace, draft, "training")
    draft = uploads.remove_subset(workspace, draft, "validation")
    split = {"feature": "split", "op": "==", "value": "T"}
    draft = uploads.add_subset(
        workspace, draft, {"name": "training", "kind": "filter", "conditions": [split]}
    )
    draft = uploads.add_subset(
        workspace, draft, {"name": "validation", "kind": "filter", "conditions": [{**split, "op": "!="}]}
    )
    draft = uploads.add_subset(
        workspace, draft, {"name": "top", "kind": "rank", "feature": "expression", "percent": 10}
    )
    draft = uploads.add_subset(workspace, draft, {"name": "sample", "kind": "random", "end": 50})
    draft = uploads.update_feature(
        workspace,
        draft,
        "expression",
        new_name="growth_rate",
        normalization="zscore",
    )
    draft = uploads.update_feature(
        workspace, draft, "seq", encoding={"alignment": "right", "length": 16}
    )
    draft = uploads.set_options(workspace, draft, normalize_on="training")
    assert draft.spec is not None and draft.spec["normalize_on"] == "training"
    assert draft.spec["subsets"][2]["feature"] == "growth_rate"  # the rank followed the rename
    # A fresh library draft from the stored row sees every edit (another process would, too).
    library_draft = uploads.open_draft(workspace, draft)
    assert library_draft.spec.feature("seq").sequence.alignment == "right"  # type: ignore[union-attr]
    counts = library_draft.subset_counts()
    assert counts["training"] + counts["validation"] == 40 and counts["top"] == 4
    view = uploads.draft_view(workspace, draft)
    growth = next(f for f in view["features"] if f["name"] == "growth_rate")
    assert growth["normalization"] == "zscore" and growth["normalization_stats"] is not None
    assert [f["tensor_shape"] for f in view["features"] if f["name"] == "seq"] == [[4, 16]]
    assert {w["code"] for w in view["warnings"]} >= {"subset_overlap"}


def test_an_edit_that_breaks_a_clean_draft_is_refused(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    bad = {"name": "x", "kind": "filter", "conditions": [{"feature": "nope", "op": "==", "value": 1}]}
    with pytest.raises(InvalidConfig) as caught:
        uploads.add_subset(workspace, draft, bad)
    assert caught.value.details == {"subset": "x", "feature": "nope"}
    with pytest.raises(InvalidConfig, match="end"):
        uploads.add_subset(workspace, draft, {"name": "y", "kind": "random"})
    with pytest.raises(DataError) as row_error:
        uploads.update_feature(workspace, draft, "seq", type="integer")
    assert row_error.value.details["column"] == "seq"
    with pytest.raises(AlreadyExists):
        uploads.update_feature(workspace, draft, "seq", new_name="count")
    stored = workspace.metadata.get_draft(project.id, draft.id)
    assert stored.spec == draft.spec
    assert uploads.draft_view(workspace, stored)["error"] is None


def test_a_broken_draft_can_be_fixed_step_by_step(workspace: Workspace, project: Project) -> None:
    draft = uploads.create_draft(workspace, project, "Gaps")
    csv = b"seq,y\nACGTACGTAC,1.5\nACGTACGTTT,\nACGTACGTGG,2.5\nACGTACGTCC,0.5\n"
    draft = uploads.add_file(workspace, draft, "gaps.csv", [csv])
    view = uploads.draft_view(workspace, draft)
    assert view["error"]["code"] == "invalid_data" and view["preview"]
    draft = uploads.update_feature(
        workspace, draft, "y", new_name="growth_rate"
    )  # still broken: accepted
    draft = uploads.set_options(workspace, draft, drop_missing=True)
    view = uploads.draft_view(workspace, draft)
    assert view["error"] is None and view["row_count"] == 3 and view["dropped_rows"] == 1


def test_replace_spec_validates(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    assert draft.spec is not None
    spec = {**draft.spec, "subsets": [], "normalize_on": None}
    draft = uploads.replace_spec(workspace, draft, spec)
    assert draft.spec is not None and draft.spec["subsets"] == []
    with pytest.raises(InvalidConfig, match="unknown_field"):
        uploads.replace_spec(workspace, draft, {**spec, "unknown_field": 1})


def test_save_writes_a_version_and_removes_the_draft(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    draft = uploads.update_feature(workspace, draft, "expression", new_name="growth_rate")
    version = uploads.save_draft(workspace, draft, "first")
    assert version.name == "first" and version.row_count == 40
    assert version.sources[0]["file"] == "tiny.csv"
    assert workspace.metadata.list_drafts(project.id) == []
    assert not workspace.artifacts.exists(f"drafts/{draft.id}")
    with pytest.raises(AlreadyExists):
        uploads.create_draft(workspace, project, "Tiny")

    edit = uploads.draft_from_version(workspace, project, "Tiny", "first", created_by="bob")
    assert edit.dataset_id == version.dataset_id and edit.files[0]["version_id"] == version.id
    assert uploads.draft_view(workspace, edit, rows=1)["preview"][0]["seq"] == "CTAAAGACAATT"
    edit = uploads.update_feature(workspace, edit, "growth_rate", normalization="minmax")
    second = uploads.save_draft(workspace, edit)
    assert second.dataset_id == version.dataset_id and second.name == "v1"  # "first", then v1
    assert load_version(workspace, second).feature("growth_rate").spec.normalization == "minmax"
    preview = uploads.version_preview(
        workspace, project, workspace.metadata.get_dataset(project.id, "Tiny"), second, rows=2
    )
    assert preview["row_count"] == 40 and preview["rows"][1]["split"] == "T"


def test_save_refuses_an_unsaveable_draft(workspace: Workspace, project: Project) -> None:
    draft = uploads.create_draft(workspace, project, "Empty")
    with pytest.raises(InvalidConfig, match="no files"):
        uploads.save_draft(workspace, draft)
    assert uploads.draft_view(workspace, draft)["files"] == []


def test_tables_are_cached_by_content(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    first = uploads.open_draft(workspace, draft).table
    assert uploads.open_draft(workspace, draft).table is first
    uploads.add_file(workspace, draft, "tiny.csv", [tiny_dna.read_bytes() + b"s40,ACGTACGTAA,0.1,5,T\n"])
    assert uploads.open_draft(workspace, draft).table.n_rows == 41


def test_concurrent_uploads_to_one_draft_all_land(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = uploads.create_draft(workspace, project, "Tiny")
    data = tiny_dna.read_bytes()
    errors: list[BaseException] = []

    def upload(name: str) -> None:
        try:
            uploads.add_file(workspace, draft, name, chunks(data, 50))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(f"part{i}.csv",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = workspace.metadata.get_draft(project.id, draft.id)
    assert sorted(f["name"] for f in stored.files) == [f"part{i}.csv" for i in range(4)]
    assert len(stored.spec["features"]) == 20  # type: ignore[index]


def test_delete_draft_and_dataset(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = uploaded(workspace, project, tiny_dna)
    uploads.delete_draft(workspace, draft)
    assert not workspace.artifacts.exists(f"drafts/{draft.id}")
    with pytest.raises(NotFound):
        uploads.get_draft(workspace, project, draft.id)

    version = uploads.save_draft(workspace, uploaded(workspace, project, tiny_dna))
    editing = uploads.draft_from_version(workspace, project, "Tiny", version.name)
    workspace.metadata.create_experiment(
        Experiment(
            project_id=project.id, name="exp", dataset_version_id=version.id, graph={}, settings={}
        )
    )
    with pytest.raises(Conflict, match="exp"):
        uploads.delete_dataset(workspace, project, "Tiny")
    workspace.metadata.delete_experiment(workspace.metadata.get_experiment(project.id, "exp").id)
    uploads.delete_dataset(workspace, project, "Tiny")
    assert workspace.metadata.list_datasets(project.id) == []
    assert not workspace.artifacts.exists(version.artifact_path)
    assert workspace.metadata.list_drafts(project.id) == [] and editing.id


def test_native_library_edits_are_quick(
    workspace: Workspace, project: Project, native_utrs: Path
) -> None:
    draft = uploads.create_draft(workspace, project, "Native")
    draft = uploads.add_file(
        workspace, draft, native_utrs.name, chunks(native_utrs.read_bytes(), 1 << 16)
    )
    uploads.draft_view(workspace, draft)
    start = time.perf_counter()
    draft = uploads.update_feature(
        workspace,
        draft,
        "UTR",
        new_name="seq",
        encoding={"alignment": "right", "length": 50, "padding": 10},
    )
    view = uploads.draft_view(workspace, draft)
    assert time.perf_counter() - start < 2.0  # the table is not read again
    assert view["row_count"] == 11856
    assert [f["tensor_shape"] for f in view["features"] if f["name"] == "seq"] == [[4, 70]]
