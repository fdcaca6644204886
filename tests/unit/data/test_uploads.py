"""Draft files: streamed uploads, refused uploads leaving nothing, combining and removing files."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import numpy as np
import pytest

from kozak.data import stored_drafts, uploads
from kozak.errors import DataError, InvalidConfig, LimitExceeded, NotFound
from kozak.settings import Settings
from kozak.store.entities import Draft, Project
from kozak.workspace import Workspace


def chunks(data: bytes, size: int = 100) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def one_hot_npy(rows: int, length: int = 20, seed: int = 0) -> bytes:
    codes = np.random.default_rng(seed).integers(0, 4, (rows, length))
    array = np.eye(4, dtype=np.float32)[codes].transpose(0, 2, 1)  # (N, 4, L)
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def stored_files(workspace: Workspace, draft: Draft) -> list[str]:
    return workspace.artifacts.list(f"drafts/{draft.id}")


def test_upload_streams_detects_and_records(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    data = tiny_dna.read_bytes()
    draft = stored_drafts.create_draft(workspace, project, "Tiny")
    draft = uploads.add_file(workspace, draft, "tiny.csv", chunks(data))
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


def test_upload_again_replaces_the_file(workspace: Workspace, tiny_draft: Draft, tiny_dna: Path) -> None:
    draft = stored_drafts.update_feature(workspace, tiny_draft, "expression", new_name="growth_rate")
    lines = tiny_dna.read_text().splitlines()
    edited = "\n".join([lines[0], *[line.replace(",T", ",V") for line in lines[1:]]]) + "\n"
    draft = uploads.add_file(workspace, draft, "tiny.csv", [edited.encode()])
    assert len(draft.files) == 1 and draft.files[0]["size"] == len(edited.encode())
    assert draft.spec is not None and "growth_rate" in [f["name"] for f in draft.spec["features"]]
    assert stored_drafts.draft_view(workspace, draft)["preview"][1]["split"] == "V"


def test_oversized_upload_leaves_nothing(tmp_path: Path, tiny_dna: Path) -> None:
    workspace = Workspace.open(Settings(home=tmp_path / "small", max_upload_bytes=500))
    project = workspace.metadata.create_project(Project(name="P"))
    draft = stored_drafts.create_draft(workspace, project, "Tiny")
    with pytest.raises(LimitExceeded) as caught:
        uploads.add_file(workspace, draft, "tiny.csv", chunks(tiny_dna.read_bytes()))
    assert caught.value.details == {"file": "tiny.csv", "limit": 500}
    with pytest.raises(LimitExceeded):  # announced too large: refused before any byte
        uploads.add_file(workspace, draft, "tiny.csv", iter(()), expected_size=501)
    assert stored_files(workspace, draft) == []
    assert list((tmp_path / "small/artifacts/drafts").rglob("*.csv")) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


def test_cut_off_upload_leaves_nothing(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Tiny")

    def broken() -> Iterator[bytes]:
        yield tiny_dna.read_bytes()[:300]
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        uploads.add_file(workspace, draft, "tiny.csv", broken())
    assert stored_files(workspace, draft) == []
    assert list((workspace.settings.home / "artifacts").rglob("*tiny.csv")) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


def test_async_upload(workspace: Workspace, project: Project, tiny_dna: Path) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Tiny")

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks(tiny_dna.read_bytes(), 64):
            yield chunk

    updated = asyncio.run(uploads.add_file_async(workspace, draft, "tiny.csv", body()))
    assert updated.files[0]["size"] == tiny_dna.stat().st_size


def test_malformed_file_is_refused_naming_row_and_column(workspace: Workspace, project: Project) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Bad")
    with pytest.raises(DataError) as caught:
        uploads.add_file(workspace, draft, "bad.csv", [b"a,b\n1,2\n3,4,5,6\n"])
    assert caught.value.details["file"] == "bad.csv"
    assert stored_files(workspace, draft) == []
    assert workspace.metadata.get_draft(project.id, draft.id).files == []


@pytest.mark.parametrize("name", ["../x.csv", "a/b.csv", "..", ".hidden.csv", "", "c:x.csv", "a\\b.csv"])
def test_file_names_are_plain(workspace: Workspace, project: Project, name: str) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Tiny")
    with pytest.raises(InvalidConfig) as caught:
        uploads.add_file(workspace, draft, name, [b"a\n1\n"])
    assert caught.value.details["field"] == "filename"


def test_unknown_extension_is_refused_before_storing(workspace: Workspace, project: Project) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Tiny")
    with pytest.raises(DataError, match="unknown file type"):
        uploads.add_file(workspace, draft, "table.exe", [b"a\n1\n"])


def test_csv_and_npy_combine_and_mismatched_rows_are_refused(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    draft = uploads.add_file(workspace, tiny_draft, "onehot.npy", [one_hot_npy(40)])
    assert [f["name"] for f in draft.files] == ["tiny.csv", "onehot.npy"]
    view = stored_drafts.draft_view(workspace, draft, rows=2)
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


def test_removing_a_file_removes_its_features(workspace: Workspace, tiny_draft: Draft) -> None:
    draft = uploads.add_file(workspace, tiny_draft, "onehot.npy", [one_hot_npy(40)])
    draft = stored_drafts.remove_feature(workspace, draft, "id")
    draft = uploads.remove_file(workspace, draft, "onehot.npy")
    assert draft.spec is not None
    assert [f["name"] for f in draft.spec["features"]] == ["seq", "expression", "count", "split"]
    assert not workspace.artifacts.exists(f"drafts/{draft.id}/files/onehot.npy")
    draft = uploads.remove_file(workspace, draft, "tiny.csv")
    assert draft.files == [] and draft.spec is None
    with pytest.raises(NotFound):
        uploads.remove_file(workspace, draft, "tiny.csv")


def test_concurrent_uploads_to_one_draft_all_land(
    workspace: Workspace, project: Project, tiny_dna: Path
) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Tiny")
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
