"""A project's datasets: a version's preview, and deleting a dataset with what refers to it."""

from __future__ import annotations

import pytest

from kozak.data import dataset_catalog, stored_drafts
from kozak.errors import Conflict
from kozak.store.entities import Draft, Experiment, Project
from kozak.workspace import Workspace


def test_version_preview_decodes_the_first_rows(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    version = stored_drafts.save_draft(workspace, tiny_draft, "first")
    dataset = workspace.metadata.get_dataset(project.id, "Tiny")
    preview = dataset_catalog.version_preview(workspace, project, dataset, version, rows=2)
    assert preview["features"] == ["id", "seq", "expression", "count", "split"]
    assert preview["row_count"] == 40 and len(preview["rows"]) == 2
    assert preview["rows"][0]["seq"] == "CTAAAGACAATT" and preview["rows"][1]["split"] == "T"


def test_delete_dataset_is_refused_while_used_then_removes_everything(
    workspace: Workspace, project: Project, tiny_draft: Draft
) -> None:
    version = stored_drafts.save_draft(workspace, tiny_draft)
    editing = stored_drafts.draft_from_version(workspace, project, "Tiny", version.name)
    workspace.metadata.create_experiment(
        Experiment(
            project_id=project.id, name="exp", dataset_version_id=version.id, graph={}, settings={}
        )
    )
    with pytest.raises(Conflict, match="exp"):
        dataset_catalog.delete_dataset(workspace, project, "Tiny")
    workspace.metadata.delete_experiment(workspace.metadata.get_experiment(project.id, "exp").id)
    dataset_catalog.delete_dataset(workspace, project, "Tiny")
    assert workspace.metadata.list_datasets(project.id) == []
    assert not workspace.artifacts.exists(version.artifact_path)
    assert workspace.metadata.list_drafts(project.id) == []
    assert not workspace.artifacts.exists(f"drafts/{editing.id}")
