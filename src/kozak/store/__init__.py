"""Stores: metadata (entities in a SQL database) and artifacts (files under a URL root)."""

from kozak.store.artifacts import ArtifactStore, LocalArtifactStore, open_artifact_store
from kozak.store.entities import Dataset, DatasetVersion, EpochMetrics, Experiment, Project
from kozak.store.metadata import MetadataStore
from kozak.store.sql import SqlAlchemyMetadataStore

__all__ = [
    "ArtifactStore",
    "Dataset",
    "DatasetVersion",
    "EpochMetrics",
    "Experiment",
    "LocalArtifactStore",
    "MetadataStore",
    "Project",
    "SqlAlchemyMetadataStore",
    "open_artifact_store",
]
