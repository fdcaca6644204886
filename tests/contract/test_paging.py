"""Paged lists in the store (`kozak.store.paging`), on SQLite and (when configured) PostgreSQL:
every sort walks each item once, filters narrow in SQL, summaries follow the best epoch."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect

from factories import many_experiments
from kozak.errors import InvalidPage, NotFound
from kozak.store.entities import Dataset, DatasetVersion, EpochMetrics, Experiment, Job, Project
from kozak.store.metadata import ExperimentFilter
from kozak.store.paging import PageRequest, encode_cursor
from kozak.store.sql import SqlAlchemyMetadataStore, upgrade_database
from old_schema import schema_at


def _project(store: SqlAlchemyMetadataStore, name: str = "Yeast") -> tuple[Project, DatasetVersion]:
    project = store.create_project(Project(name=name))
    dataset = store.create_dataset(Dataset(project_id=project.id, name="utrs"))
    version = store.create_dataset_version(
        DatasetVersion(
            dataset_id=dataset.id,
            name="v1",
            digest="d1",
            row_count=3,
            spec={"features": []},
            stats={},
            sources=[],
            subset_counts={},
            artifact_path="datasets/x",
        )
    )
    return project, version


def _walk(
    store: SqlAlchemyMetadataStore, project_id: str, sort: str, limit: int, **where: Any
) -> list[Experiment]:
    found: list[Experiment] = []
    cursor = None
    while True:
        page = store.page_experiments(
            project_id, PageRequest(limit=limit, cursor=cursor, sort=sort), ExperimentFilter(**where)
        )
        found += [row.experiment for row in page.items]
        if page.next_cursor is None:
            return found
        cursor = page.next_cursor


def test_every_sort_walks_each_experiment_once_in_order(metadata_store: SqlAlchemyMetadataStore) -> None:
    project, version = _project(metadata_store)
    ids = many_experiments(metadata_store, project.id, version.id, 23, trained_every=3)
    for sort in (
        "created",
        "-created",
        "name",
        "-updated",
        "status",
        "best",
        "-best",
        "progress",
        "-params",
    ):
        walked = _walk(metadata_store, project.id, sort, limit=5)
        assert sorted(e.id for e in walked) == sorted(ids), sort
    best = _walk(metadata_store, project.id, "best", limit=4)
    scored = [e.best_score for e in best if e.best_score is not None]
    assert scored == sorted(scored) and len(scored) == 8
    assert all(e.best_score is None for e in best[8:]), "no best value sorts last"
    worst_first = _walk(metadata_store, project.id, "-best", limit=4)
    assert [e.best_score for e in worst_first[:8]] == sorted(scored, reverse=True)
    assert [e.name for e in _walk(metadata_store, project.id, "-name", limit=7)] == sorted(
        (f"exp-{i:05d}" for i in range(23)), reverse=True
    )


def test_filters_narrow_the_page_and_the_total(metadata_store: SqlAlchemyMetadataStore) -> None:
    project, version = _project(metadata_store)
    other, other_version = _project(metadata_store, "Other")
    many_experiments(metadata_store, project.id, version.id, 30, trained_every=2)
    many_experiments(metadata_store, other.id, other_version.id, 5)
    page = metadata_store.page_experiments(project.id, PageRequest(limit=10))
    assert page.total == 30 and len(page.items) == 10 and page.next_cursor
    completed = metadata_store.page_experiments(
        project.id, PageRequest(limit=100), ExperimentFilter(statuses=("completed",))
    )
    assert completed.total == 15 and completed.next_cursor is None
    ranged = _walk(metadata_store, project.id, "best", 100, best_min=0.05, best_max=0.5)
    assert ranged and all(0.05 <= (e.best_value or 0) <= 0.5 for e in ranged)
    named = _walk(metadata_store, project.id, "name", 100, q="EXP-0001")
    assert [e.name for e in named] == [f"exp-{i:05d}" for i in range(10, 20)]
    assert _walk(metadata_store, project.id, "name", 100, q="100%") == []
    assert len(_walk(metadata_store, project.id, "", 100, dataset_version_id=other_version.id)) == 0


def test_an_active_job_comes_with_its_experiment(metadata_store: SqlAlchemyMetadataStore) -> None:
    project, version = _project(metadata_store)
    first, second = many_experiments(metadata_store, project.id, version.id, 2)
    metadata_store.enqueue_job(Job(project_id=project.id, experiment_id=first, kind="train", payload={}))
    page = metadata_store.page_experiments(project.id, PageRequest())
    jobs = {row.experiment.id: row.job for row in page.items}
    assert jobs[first] is not None and jobs[first].status == "queued" and jobs[second] is None
    assert page.total == 2
    assert not hasattr(page.items[0].experiment, "graph"), "a list row holds the head only"


def test_one_experiment_comes_whole_with_its_job_and_parent_name(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project, version = _project(metadata_store)
    (first,) = many_experiments(metadata_store, project.id, version.id, 1)
    clone = metadata_store.create_experiment(
        Experiment(
            project_id=project.id,
            name="clone",
            dataset_version_id=version.id,
            graph={"name": "g", "nodes": [], "edges": []},
            settings={"epochs": 3},
            parent_id=first,
        )
    )
    metadata_store.enqueue_job(
        Job(project_id=project.id, experiment_id=clone.id, kind="train", payload={})
    )
    found = metadata_store.get_experiment_listing(project.id, "clone")
    assert found.experiment == metadata_store.get_experiment(project.id, clone.id)
    assert found.job is not None and found.job.experiment_id == clone.id
    assert found.parent_name == "exp-00000"
    parent = metadata_store.get_experiment_listing(project.id, first)
    assert parent.job is None and parent.parent_name is None
    with pytest.raises(NotFound):
        metadata_store.get_experiment_listing(project.id, "missing")


def test_bad_cursors_and_sorts_name_the_parameter(metadata_store: SqlAlchemyMetadataStore) -> None:
    project, _ = _project(metadata_store)
    for cursor in ("not base64 at all!", "eyJ4IjoxfQ", "x" * 3000):
        with pytest.raises(InvalidPage) as caught:
            metadata_store.page_experiments(project.id, PageRequest(cursor=cursor))
        assert caught.value.details["field"] == "cursor"
    with pytest.raises(InvalidPage, match="made for sort 'name'"):
        metadata_store.page_experiments(
            project.id, PageRequest(cursor=encode_cursor("name", "a", "b"), sort="best")
        )
    with pytest.raises(InvalidPage, match="sort must be one of") as caught:
        metadata_store.page_experiments(project.id, PageRequest(sort="colour"))
    assert caught.value.details["field"] == "sort"
    with pytest.raises(InvalidPage):
        PageRequest(limit=0)


def test_summaries_follow_the_best_epoch_and_its_direction(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project, version = _project(metadata_store)
    settings = {"epochs": 5, "early_stopping": {"monitor": "val_r2", "mode": "max"}}
    experiment = metadata_store.create_experiment(
        Experiment(
            project_id=project.id, name="r2", dataset_version_id=version.id, graph={}, settings=settings
        )
    )
    assert experiment.epochs_planned == 5 and experiment.best_value is None
    metadata_store.log_epoch(EpochMetrics(experiment_id=experiment.id, epoch=1, metrics={"val_r2": 0.4}))
    updated = metadata_store.update_experiment(experiment.id, best_epoch=1, epochs_done=1)
    assert (updated.best_metric, updated.best_value, updated.best_score) == ("val_r2", 0.4, -0.4)
    # A resumed run logs the epoch again: the summary follows.
    metadata_store.log_epochs(
        [EpochMetrics(experiment_id=experiment.id, epoch=1, metrics={"val_r2": 0.6})]
    )
    again = metadata_store.get_experiment(project.id, experiment.id)
    assert (again.best_value, again.best_score) == (0.6, -0.6)
    with pytest.raises(Exception, match="cannot change"):
        metadata_store.update_experiment(experiment.id, best_score=1.0)


def test_other_lists_page_too(metadata_store: SqlAlchemyMetadataStore) -> None:
    project, version = _project(metadata_store)
    for i in range(5):
        metadata_store.create_dataset(Dataset(project_id=project.id, name=f"set-{i}"))
    datasets = metadata_store.page_datasets(project.id, PageRequest(limit=2, sort="-name"), q="set")
    assert datasets.total == 5 and [d.name for d in datasets.items] == ["set-4", "set-3"]
    holder = metadata_store.page_datasets(project.id, PageRequest(), version_id=version.id)
    assert [d.id for d in holder.items] == [version.dataset_id] and holder.total == 1
    assert metadata_store.page_datasets(project.id, PageRequest(), version_id="dsv_none").total == 0
    ids = many_experiments(metadata_store, project.id, version.id, 4)
    for experiment_id in ids:
        metadata_store.enqueue_job(
            Job(project_id=project.id, experiment_id=experiment_id, kind="train", payload={})
        )
    jobs = metadata_store.page_jobs(project.id, PageRequest(limit=3), statuses=("queued",))
    assert jobs.total == 4 and len(jobs.items) == 3 and jobs.next_cursor
    rest = metadata_store.page_jobs(
        project.id, PageRequest(limit=3, cursor=jobs.next_cursor), statuses=("queued",)
    )
    assert {j.experiment_id for j in jobs.items + rest.items} == set(ids)
    versions = metadata_store.page_dataset_versions(version.dataset_id, PageRequest())
    assert [v.id for v in versions.items] == [version.id]


def test_migration_0006_fills_the_summaries_of_existing_experiments(database_url: str) -> None:
    with schema_at(database_url, "0005") as add:
        add("projects", id="prj_1", name="P")
        add("datasets", id="dst_1", project_id="prj_1", name="D")
        add("dataset_versions", id="dsv_1", dataset_id="dst_1")
        settings = {"epochs": 6, "early_stopping": {"monitor": "val_r2", "mode": "max"}}
        for experiment_id, best in (("exp_1", 2), ("exp_2", None)):
            add(
                "experiments", id=experiment_id, project_id="prj_1", name=experiment_id,
                dataset_version_id="dsv_1", settings=settings, status="completed",
                best_epoch=best, epochs_done=3,
            )  # fmt: skip
        add("epoch_metrics", experiment_id="exp_1", epoch=2, metrics={"val_r2": 0.7})
    assert upgrade_database(database_url) >= "0006"
    store = SqlAlchemyMetadataStore(database_url)
    try:
        first, second = (store.get_experiment("prj_1", ref) for ref in ("exp_1", "exp_2"))
        assert (first.best_metric, first.best_value, first.best_score) == ("val_r2", 0.7, -0.7)
        assert first.epochs_planned == 6 and first.param_count is None
        assert (second.best_value, second.epochs_planned) == (None, 6)
        names = {ix["name"] for ix in inspect(store.engine).get_indexes("experiments")}
        assert {"ix_experiments_project_best", "ix_experiments_project_updated"} <= names
    finally:
        store.close()
