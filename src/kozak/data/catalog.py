"""Finding datasets and versions by the references people type: `NAME` or `NAME@VERSION`."""

from __future__ import annotations

from kozak.errors import NotFound
from kozak.store.entities import Dataset, DatasetVersion
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
