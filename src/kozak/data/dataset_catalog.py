"""A project's datasets and versions: finding, previewing, browsing and deleting them.

`find_version` takes the references people type (`NAME` or `NAME@VERSION`). Deleting a dataset
also removes its versions' files and the drafts that edit it.
"""

from __future__ import annotations

from typing import Any

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.editor import edit_version
from kozak.data.rows import RowQuery, page_rows, row_view
from kozak.data.stored_drafts import forget, preview_rows
from kozak.data.table import RawTable
from kozak.errors import Conflict, NotFound
from kozak.store.entities import Dataset, DatasetVersion, Project
from kozak.store.paging import PageOf, PageRequest
from kozak.workspace import Workspace


def list_datasets(workspace: Workspace, project: str) -> list[tuple[Dataset, list[DatasetVersion]]]:
    """The project's datasets with their versions (oldest first); none for an unknown project."""
    try:
        found = workspace.metadata.get_project(project)
    except NotFound:
        return []
    return [
        (dataset, workspace.metadata.list_dataset_versions(dataset.id))
        for dataset in workspace.metadata.list_datasets(found.id)
    ]


def page_datasets(
    workspace: Workspace,
    project_id: str,
    page: PageRequest,
    q: str | None = None,
    version_id: str | None = None,
) -> PageOf[tuple[Dataset, list[DatasetVersion]]]:
    """A page of a project's datasets, each with its versions (oldest first): three queries.
    `q` is a part of the name; `version_id` keeps only the dataset holding that version."""
    found = workspace.metadata.page_datasets(project_id, page, q, version_id)
    versions: dict[str, list[DatasetVersion]] = {d.id: [] for d in found.items}
    for version in workspace.metadata.list_versions_of(list(versions)):
        versions[version.dataset_id].append(version)
    return found.map(lambda d: (d, versions[d.id]))


def find_version(workspace: Workspace, project: str, ref: str) -> tuple[Dataset, DatasetVersion]:
    """The dataset and version `ref` names; without `@VERSION`, the newest version.

    Raises:
        NotFound: naming the project, dataset or version that does not exist.
    """
    name, _, version_ref = ref.partition("@")
    metadata = workspace.metadata
    dataset = metadata.get_dataset(metadata.get_project(project).id, name)
    if version_ref:
        return dataset, metadata.get_dataset_version(dataset.id, version_ref)
    versions = metadata.list_dataset_versions(dataset.id)
    if not versions:
        raise NotFound(f"dataset {name!r} has no versions yet", dataset=name)
    return dataset, versions[-1]


def delete_dataset(workspace: Workspace, project: Project, dataset_ref: str) -> None:
    """Delete a dataset, its versions, the drafts editing it and their files.

    Raises:
        NotFound: naming the dataset.
        Conflict: an experiment uses one of its versions (naming the experiments).
    """
    metadata = workspace.metadata
    dataset = metadata.get_dataset(project.id, dataset_ref)
    versions = metadata.list_dataset_versions(dataset.id)
    ids = {v.id for v in versions}
    users = [e.name for e in metadata.list_experiments(project.id) if e.dataset_version_id in ids]
    if users:
        raise Conflict(
            f"dataset {dataset.name!r} is used by experiments {', '.join(users)}; delete them first",
            dataset=dataset.name,
            experiments=users,
        )
    drafts = [d for d in metadata.list_drafts(project.id) if d.dataset_id == dataset.id]
    metadata.delete_dataset(dataset.id)  # rows first: a failure leaves every file in place
    paths = [v.artifact_path for v in versions] + [f"datasets/{dataset.id}"]
    for path in paths + [f"drafts/{d.id}" for d in drafts]:
        workspace.artifacts.delete(path)
    for draft in drafts:
        forget(workspace, draft.id)


def version_preview(
    workspace: Workspace, project: Project, dataset: Dataset, version: DatasetVersion, rows: int = 10
) -> dict[str, Any]:
    """The first rows of a stored version, decoded (sequences as letters, classes as names).

    Returns:
        `{"features": [names], "rows": [{feature: value}], "row_count": n}`.
    """
    editor = edit_version(workspace, dataset, version, project.id)
    return {
        "features": [f.name for f in editor.spec.features],
        "rows": preview_rows(editor, rows),
        "row_count": version.row_count,
    }


def version_rows(
    workspace: Workspace,
    project: Project,
    dataset: Dataset,
    version: DatasetVersion,
    query: RowQuery,
    offset: int,
    limit: int,
    find: int | None = None,
) -> dict[str, Any]:
    """A page of a stored version's rows (numbered from 1), sorted and filtered.

    Returns:
        What `kozak.data.rows.page_rows` returns.

    Raises:
        InvalidConfig: the query filters or sorts by an array feature.
        NotFound: the query names no feature.
    """

    def build() -> tuple[RawTable, DatasetSpec]:
        editor = edit_version(workspace, dataset, version, project.id)
        return editor.table, editor.spec

    return page_rows(row_view(("version", version.id), build), query, offset, limit, find)
