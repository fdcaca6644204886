"""The Yeast example project a new workspace starts with."""

from __future__ import annotations

from kozak import accounts
from kozak.examples.seed import seed_yeast_project
from kozak.workspace import Workspace


def test_the_example_project_is_made_once_and_ready_to_run(workspace: Workspace) -> None:
    admin, _ = accounts.ensure_admin(workspace)
    project = seed_yeast_project(workspace, admin, rows=400)
    assert project is not None and project.name == "Yeast"
    assert workspace.metadata.get_role(project.id, admin.id) == "owner"
    [experiment] = workspace.metadata.list_experiments(project.id)
    assert experiment.status == "created" and experiment.graph["name"]
    assert experiment.settings["training_subset"] == "training"
    version = workspace.metadata.get_dataset_version_by_id(experiment.dataset_version_id)
    assert version.row_count == 400
    assert set(version.subset_counts) >= {"training", "validation", "test"}
    [line] = workspace.metadata.get_project(project.id).reference_lines  # the paper's test r²
    assert (line.metric, line.value) == ("pearson_r2", 0.62) and "Cuperus 2017" in line.name
    assert seed_yeast_project(workspace, admin, rows=400) is None


def test_projects_made_outside_the_server_are_given_to_the_admin(workspace: Workspace) -> None:
    workspace.metadata.get_or_create_project("From the CLI")
    admin, _ = accounts.ensure_admin(workspace)
    adopted = accounts.adopt_orphan_projects(workspace, admin)
    assert [p.name for p in adopted] == ["From the CLI"]
    assert accounts.adopt_orphan_projects(workspace, admin) == []
