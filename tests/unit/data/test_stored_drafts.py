"""Stored drafts: the view, edits stored as specs, broken drafts, caching, saving, deleting."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kozak.data import draft_cache, stored_drafts, uploads
from kozak.data.versions import load_version
from kozak.errors import AlreadyExists, DataError, InvalidConfig, NotFound
from kozak.store.entities import Draft, Project
from kozak.workspace import Workspace


def test_view_shows_features_preview_and_subsets(workspace: Workspace, tiny_draft: Draft) -> None:
    view = stored_drafts.draft_view(workspace, tiny_draft, rows=3)
    assert view["row_count"] == 40 and len(view["preview"]) == 3 and view["error"] is None
    assert [s["definition"].name for s in view["subsets"]] == ["training", "validation"]
    assert sum(s["rows"] for s in view["subsets"]) == 40
    seq = next(f for f in view["features"] if f["name"] == "seq")
    assert seq["detected_type"] == "sequence" and seq["file"] == "tiny.csv"
    assert seq["tensor_shape"][0] == 4 and view["stats"] is None
    assert (
        stored_drafts.draft_view(workspace, tiny_draft, stats=True)["stats"]["all"]["count"]["count"]
        == 40
    )


def test_edits_persist_as_the_spec(workspace: Workspace, tiny_draft: Draft) -> None:
    draft = stored_drafts.remove_subset(workspace, tiny_draft, "training")
    draft = stored_drafts.remove_subset(workspace, draft, "validation")
    split = {"feature": "split", "op": "==", "value": "T"}
    draft = stored_drafts.add_subset(
        workspace, draft, {"name": "training", "kind": "filter", "conditions": [split]}
    )
    draft = stored_drafts.add_subset(
        workspace, draft, {"name": "validation", "kind": "filter", "conditions": [{**split, "op": "!="}]}
    )
    draft = stored_drafts.add_subset(
        workspace, draft, {"name": "top", "kind": "rank", "feature": "expression", "percent": 10}
    )
    draft = stored_drafts.add_subset(workspace, draft, {"name": "sample", "kind": "random", "end": 50})
    draft = stored_drafts.update_feature(
        workspace,
        draft,
        "expression",
        new_name="growth_rate",
        normalization="zscore",
    )
    draft = stored_drafts.update_feature(
        workspace, draft, "seq", encoding={"alignment": "right", "length": 16}
    )
    draft = stored_drafts.set_options(workspace, draft, normalize_on="training")
    assert draft.spec is not None and draft.spec["normalize_on"] == "training"
    assert draft.spec["subsets"][2]["feature"] == "growth_rate"  # the rank followed the rename
    # A fresh library draft from the stored row sees every edit (another process would, too).
    editor = stored_drafts.open_draft(workspace, draft)
    assert editor.spec.feature("seq").sequence.alignment == "right"  # type: ignore[union-attr]
    counts = editor.subset_counts()
    assert counts["training"] + counts["validation"] == 40 and counts["top"] == 4
    view = stored_drafts.draft_view(workspace, draft)
    growth = next(f for f in view["features"] if f["name"] == "growth_rate")
    assert growth["normalization"] == "zscore" and growth["normalization_stats"] is not None
    assert [f["tensor_shape"] for f in view["features"] if f["name"] == "seq"] == [[4, 16]]
    assert {w["code"] for w in view["warnings"]} >= {"subset_overlap"}


def test_an_edit_that_breaks_a_clean_draft_is_refused(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    draft = tiny_draft
    bad = {"name": "x", "kind": "filter", "conditions": [{"feature": "nope", "op": "==", "value": 1}]}
    with pytest.raises(InvalidConfig) as caught:
        stored_drafts.add_subset(workspace, draft, bad)
    assert caught.value.details == {"subset": "x", "feature": "nope"}
    with pytest.raises(InvalidConfig, match="end"):
        stored_drafts.add_subset(workspace, draft, {"name": "y", "kind": "random"})
    with pytest.raises(DataError) as row_error:
        stored_drafts.update_feature(workspace, draft, "seq", type="integer")
    assert row_error.value.details["column"] == "seq"
    with pytest.raises(AlreadyExists):
        stored_drafts.update_feature(workspace, draft, "seq", new_name="count")
    stored = workspace.metadata.get_draft(project.id, draft.id)
    assert stored.spec == draft.spec
    assert stored_drafts.draft_view(workspace, stored)["error"] is None


def test_a_broken_draft_can_be_fixed_step_by_step(workspace: Workspace, project: Project) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Gaps")
    csv = b"seq,y\nACGTACGTAC,1.5\nACGTACGTTT,\nACGTACGTGG,2.5\nACGTACGTCC,0.5\n"
    draft = uploads.add_file(workspace, draft, "gaps.csv", [csv])
    view = stored_drafts.draft_view(workspace, draft)
    assert view["error"]["code"] == "invalid_data" and view["preview"]
    draft = stored_drafts.update_feature(
        workspace, draft, "y", new_name="growth_rate"
    )  # still broken: accepted
    draft = stored_drafts.set_options(workspace, draft, drop_missing=True)
    view = stored_drafts.draft_view(workspace, draft)
    assert view["error"] is None and view["row_count"] == 3 and view["dropped_rows"] == 1


def test_replace_spec_validates(workspace: Workspace, tiny_draft: Draft) -> None:
    assert tiny_draft.spec is not None
    spec = {**tiny_draft.spec, "subsets": [], "normalize_on": None}
    draft = stored_drafts.replace_spec(workspace, tiny_draft, spec)
    assert draft.spec is not None and draft.spec["subsets"] == []
    with pytest.raises(InvalidConfig, match="unknown_field"):
        stored_drafts.replace_spec(workspace, draft, {**spec, "unknown_field": 1})


def test_save_writes_a_version_and_removes_the_draft(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    draft = stored_drafts.update_feature(workspace, tiny_draft, "expression", new_name="growth_rate")
    version = stored_drafts.save_draft(workspace, draft, "first")
    assert version.name == "first" and version.row_count == 40
    assert version.sources[0]["file"] == "tiny.csv"
    assert workspace.metadata.list_drafts(project.id) == []
    assert not workspace.artifacts.exists(f"drafts/{draft.id}")
    assert _lock_files(workspace) == []
    with pytest.raises(AlreadyExists):
        stored_drafts.create_draft(workspace, project, "Tiny")

    edit = stored_drafts.draft_from_version(workspace, project, "Tiny", "first", created_by="bob")
    assert edit.dataset_id == version.dataset_id and edit.files[0]["version_id"] == version.id
    assert stored_drafts.draft_view(workspace, edit, rows=1)["preview"][0]["seq"] == "CTAAAGACAATT"
    edit = stored_drafts.update_feature(workspace, edit, "growth_rate", normalization="minmax")
    second = stored_drafts.save_draft(workspace, edit)
    assert second.dataset_id == version.dataset_id and second.name == "v1"  # "first", then v1
    assert load_version(workspace, second).feature("growth_rate").spec.normalization == "minmax"


def test_save_refuses_an_unsaveable_draft(workspace: Workspace, project: Project) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Empty")
    with pytest.raises(InvalidConfig, match="no files"):
        stored_drafts.save_draft(workspace, draft)
    assert stored_drafts.draft_view(workspace, draft)["files"] == []


def test_tables_are_cached_by_content(workspace: Workspace, tiny_draft: Draft, tiny_dna: Path) -> None:
    first = stored_drafts.open_draft(workspace, tiny_draft).table
    assert stored_drafts.open_draft(workspace, tiny_draft).table is first
    extra_row = b"s40,ACGTACGTAA,0.1,5,T\n"
    uploads.add_file(workspace, tiny_draft, "tiny.csv", [tiny_dna.read_bytes() + extra_row])
    assert stored_drafts.open_draft(workspace, tiny_draft).table.n_rows == 41


def _lock_files(workspace: Workspace) -> list[str]:
    folder = workspace.settings.home / "locks"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_delete_draft_removes_its_files(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    stored_drafts.update_feature(workspace, tiny_draft, "expression", new_name="growth_rate")
    assert _lock_files(workspace) == [f"draft-{tiny_draft.id}"]  # edits take the draft's lock
    stored_drafts.delete_draft(workspace, tiny_draft)
    assert not workspace.artifacts.exists(f"drafts/{tiny_draft.id}")
    assert _lock_files(workspace) == []
    with pytest.raises(NotFound):
        stored_drafts.get_draft(workspace, project, tiny_draft.id)


def test_native_library_edits_are_quick(
    workspace: Workspace, project: Project, native_utrs: Path
) -> None:
    draft = stored_drafts.create_draft(workspace, project, "Native")
    draft = uploads.add_file(workspace, draft, native_utrs.name, [native_utrs.read_bytes()])
    stored_drafts.draft_view(workspace, draft)
    start = time.perf_counter()
    draft = stored_drafts.update_feature(
        workspace,
        draft,
        "UTR",
        new_name="seq",
        encoding={"alignment": "right", "length": 50, "padding": 10},
    )
    view = stored_drafts.draft_view(workspace, draft)
    assert time.perf_counter() - start < 2.0  # the table is not read again
    assert view["row_count"] == 11856
    assert [f["tensor_shape"] for f in view["features"] if f["name"] == "seq"] == [[4, 70]]


# Another process, as a second API process of `kozak up`: takes the draft's lock, says so on
# its standard output, and keeps it until its standard input closes.
HOLDER = """
import sys
from kozak.data.draft_cache import locked
from kozak.settings import Settings
from kozak.workspace import Workspace
with locked(Workspace.open(Settings(home=sys.argv[1])), sys.argv[2]):
    print("held", flush=True)
    sys.stdin.read()
"""


def test_a_draft_held_by_another_process_waits_for_it(workspace: Workspace, tiny_draft: Draft) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workspace.settings.home), tiny_draft.id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdin is not None
    assert holder.stdout.readline() == "held\n"
    acquired = threading.Event()

    def take() -> None:
        with draft_cache.locked(workspace, tiny_draft.id), draft_cache.locked(workspace, tiny_draft.id):
            acquired.set()  # re-entrant: the inner hold does not wait for the outer one

    taker = threading.Thread(target=take)
    taker.start()
    try:
        assert not acquired.wait(1.0), "took the draft while another process held it"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert acquired.wait(30)
    taker.join()
