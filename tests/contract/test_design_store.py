"""Designs in the metadata store, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import pytest

from kozak.errors import AlreadyExists, InvalidConfig, NotFound, StoreError
from kozak.store.entities import Design, Project
from kozak.store.sql import SqlAlchemyMetadataStore


def test_designs_round_trip(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="Yeast"))
    design = Design(
        project_id=project.id,
        name="brighter",
        experiment_ids=["exp_0123456789abcdef"],
        settings={"rounds": 40},
        starts={"names": ["a"], "sequences": ["ACGT"]},
        artifact_path="designs/x",
    )
    metadata_store.create_design(design)
    assert metadata_store.get_design(project.id, "brighter") == design
    assert metadata_store.get_design(project.id, design.id).starts["sequences"] == ["ACGT"]
    with pytest.raises(AlreadyExists):
        metadata_store.create_design(Design(project_id=project.id, name="brighter", experiment_ids=[]))
    with pytest.raises(InvalidConfig):
        metadata_store.create_design(Design(project_id=project.id, name=design.id, experiment_ids=[]))
    updated = metadata_store.update_design(
        design.id, job_id="job_0123456789abcdef", summary={"rounds": 3}
    )
    assert updated.summary == {"rounds": 3} and updated.updated_at >= design.updated_at
    with pytest.raises(StoreError, match="experiment_ids"):
        metadata_store.update_design(design.id, experiment_ids=[])
    assert [d.id for d in metadata_store.list_designs(project.id)] == [design.id]
    metadata_store.delete_design(design.id)
    with pytest.raises(NotFound):
        metadata_store.get_design(project.id, design.id)
    other = metadata_store.create_design(Design(project_id=project.id, name="gone", experiment_ids=[]))
    metadata_store.delete_project(project.id)  # the project's designs go with it
    with pytest.raises(NotFound):
        metadata_store.update_design(other.id, summary={})
