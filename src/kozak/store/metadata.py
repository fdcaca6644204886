"""The metadata store interface: domain entities in, domain entities out.

Implementations raise `NotFound` / `AlreadyExists` for missing and duplicate entities, and
`StoreError` for everything else that goes wrong underneath.
"""

from __future__ import annotations

import abc
from typing import Any

from kozak.errors import NotFound
from kozak.store.entities import Dataset, DatasetVersion, EpochMetrics, Experiment, Project


class MetadataStore(abc.ABC):
    """Persistent catalogue of projects, datasets and their versions."""

    # Projects
    @abc.abstractmethod
    def create_project(self, project: Project) -> Project:
        """Insert a project; its name must be unique."""

    @abc.abstractmethod
    def get_project(self, id_or_name: str) -> Project:
        """A project by id or by name."""

    @abc.abstractmethod
    def list_projects(self) -> list[Project]:
        """All projects, oldest first."""

    @abc.abstractmethod
    def delete_project(self, project_id: str) -> None:
        """Delete a project and everything in it."""

    def get_or_create_project(self, name: str, created_by: str = "") -> Project:
        """The project called `name`, created when it does not exist yet."""
        try:
            return self.get_project(name)
        except NotFound:
            return self.create_project(Project(name=name, created_by=created_by))

    # Datasets
    @abc.abstractmethod
    def create_dataset(self, dataset: Dataset) -> Dataset:
        """Insert a dataset; its name must be unique within its project."""

    @abc.abstractmethod
    def get_dataset(self, project_id: str, id_or_name: str) -> Dataset:
        """A dataset of a project by id or by name."""

    @abc.abstractmethod
    def list_datasets(self, project_id: str) -> list[Dataset]:
        """The datasets of a project, oldest first."""

    @abc.abstractmethod
    def delete_dataset(self, dataset_id: str) -> None:
        """Delete a dataset and its version rows (the caller removes artifacts)."""

    # Dataset versions
    def create_dataset_version(self, version: DatasetVersion) -> DatasetVersion:
        """Insert one version; see `create_dataset_versions`."""
        return self.create_dataset_versions([version])[0]

    @abc.abstractmethod
    def create_dataset_versions(self, versions: list[DatasetVersion]) -> list[DatasetVersion]:
        """Insert versions in one transaction; names and digests are unique per dataset."""

    @abc.abstractmethod
    def get_dataset_version(self, dataset_id: str, id_or_name: str) -> DatasetVersion:
        """A version of a dataset by id or by name."""

    @abc.abstractmethod
    def get_dataset_version_by_id(self, version_id: str) -> DatasetVersion:
        """A dataset version by its id alone (ids are unique across datasets)."""

    @abc.abstractmethod
    def find_dataset_version_by_digest(self, dataset_id: str, digest: str) -> DatasetVersion | None:
        """The version with this content digest, if one exists."""

    @abc.abstractmethod
    def list_dataset_versions(self, dataset_id: str) -> list[DatasetVersion]:
        """The versions of a dataset, oldest first."""

    # Experiments
    @abc.abstractmethod
    def create_experiment(self, experiment: Experiment) -> Experiment:
        """Insert an experiment; its name must be unique within its project."""

    @abc.abstractmethod
    def get_experiment(self, project_id: str, id_or_name: str) -> Experiment:
        """An experiment of a project by id or by name."""

    @abc.abstractmethod
    def list_experiments(self, project_id: str) -> list[Experiment]:
        """The experiments of a project, oldest first."""

    @abc.abstractmethod
    def update_experiment(self, experiment_id: str, **changes: Any) -> Experiment:
        """Change fields (status, message, best_epoch, epochs_done, ...); stamps `updated_at`."""

    @abc.abstractmethod
    def delete_experiment(self, experiment_id: str) -> None:
        """Delete an experiment and its metrics (the caller removes artifacts)."""

    def log_epoch(self, metrics: EpochMetrics) -> None:
        """Record one epoch; see `log_epochs`."""
        self.log_epochs([metrics])

    @abc.abstractmethod
    def log_epochs(self, metrics: list[EpochMetrics]) -> None:
        """Record epochs in one transaction; an epoch logged again (after a resume) is replaced."""

    @abc.abstractmethod
    def list_epochs(self, experiment_id: str) -> list[EpochMetrics]:
        """An experiment's epochs in order."""
