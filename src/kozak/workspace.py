"""A workspace: the settings plus the two stores they name, opened together."""

from __future__ import annotations

from dataclasses import dataclass

from kozak.settings import Settings
from kozak.store.artifacts import ArtifactStore, open_artifact_store
from kozak.store.metadata import MetadataStore
from kozak.store.sql import SqlAlchemyMetadataStore


@dataclass(frozen=True)
class Workspace:
    """Everything library functions need to read and write persistent state."""

    settings: Settings
    metadata: MetadataStore
    artifacts: ArtifactStore

    @classmethod
    def open(cls, settings: Settings | None = None) -> Workspace:
        """Open (and on first use create) the workspace the settings describe."""
        settings = settings or Settings()
        settings.home.mkdir(parents=True, exist_ok=True)
        return cls(
            settings=settings,
            metadata=SqlAlchemyMetadataStore(settings.database_url),
            artifacts=open_artifact_store(settings.artifact_root),
        )
