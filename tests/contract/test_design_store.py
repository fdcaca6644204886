"""Designs in the metadata store, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import pytest

from kozak.errors import AlreadyExists, InvalidConfig, NotFound, StoreError
from kozak.store.entities import Design, Job, Project
from kozak.store.paging import PageRequest
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


def test_a_page_of_designs_comes_with_their_jobs(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="Lab"))
    queued = metadata_store.enqueue_job(Job(project_id=project.id, kind="design", payload={}))
    with_job = metadata_store.create_design(Design(project_id=project.id, name="b", experiment_ids=[]))
    metadata_store.update_design(with_job.id, job_id=queued.id)
    metadata_store.create_design(Design(project_id=project.id, name="a", experiment_ids=[]))
    page = metadata_store.page_designs(project.id, PageRequest(sort="name"))
    assert [(d.name, job.id if job else None) for d, job in page.items] == [
        ("a", None),
        ("b", queued.id),
    ]
    assert page.total == 2 and page.next_cursor is None
    assert [d.name for d, _ in metadata_store.page_designs(project.id, PageRequest(), q="B").items] == [
        "b"
    ]
