"""The metadata store's sweeps and trials, on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import pytest

from kozak.errors import AlreadyExists, NotFound
from kozak.store.entities import Dataset, DatasetVersion, Experiment, Project, Sweep, SweepTrial
from kozak.store.metadata import TrialTally
from kozak.store.paging import PageRequest
from kozak.store.sql import SqlAlchemyMetadataStore


@pytest.fixture
def sweep(metadata_store: SqlAlchemyMetadataStore) -> Sweep:
    project = metadata_store.create_project(Project(name="Lab"))
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="Tiny"))
    version = metadata_store.create_dataset_version(
        DatasetVersion(
            dataset_id=dataset.id, name="v1", digest="d1", row_count=3, spec={"features": []},
            artifact_path="datasets/x",
        )
    )  # fmt: skip
    return metadata_store.create_sweep(
        Sweep(
            project_id=project.id, name="search", dataset_version_id=version.id, graph={},
            settings={}, spec={"budget": {"trials": 2}}, study_name="s",
        )
    )  # fmt: skip


def test_sweeps_round_trip_by_id_and_name(metadata_store: SqlAlchemyMetadataStore, sweep: Sweep) -> None:
    assert metadata_store.get_sweep(sweep.project_id, "search") == sweep
    assert metadata_store.list_sweeps(sweep.project_id) == [sweep]
    with pytest.raises(AlreadyExists):
        metadata_store.create_sweep(sweep.model_copy(update={"id": "swp_0000000000000001"}))
    done = metadata_store.update_sweep(sweep.id, status="completed", message="done")
    assert metadata_store.get_sweep(sweep.project_id, sweep.id).status == "completed" == done.status


def test_trial_slots_never_exceed_the_budget_and_stop_with_the_sweep(
    metadata_store: SqlAlchemyMetadataStore, sweep: Sweep
) -> None:
    assert [metadata_store.take_trial_slot(sweep.id, 2) for _ in range(3)] == [True, True, False]
    assert metadata_store.take_trial_slot(sweep.id, 3)
    metadata_store.update_sweep(sweep.id, status="stopped")
    assert not metadata_store.take_trial_slot(sweep.id, 10)
    metadata_store.add_skipped(sweep.id, 2)
    found = metadata_store.get_sweep(sweep.project_id, sweep.id)
    assert (found.trials_started, found.skipped) == (3, 2)


def test_trials_keep_their_history_when_their_experiment_goes(
    metadata_store: SqlAlchemyMetadataStore, sweep: Sweep
) -> None:
    experiment = metadata_store.create_experiment(
        Experiment(
            project_id=sweep.project_id, name="t0", dataset_version_id=sweep.dataset_version_id,
            graph={}, settings={},
        )
    )  # fmt: skip
    trial = metadata_store.add_sweep_trial(
        SweepTrial(sweep_id=sweep.id, number=0, optuna_trial_id=7, experiment_id=experiment.id)
    )
    assert metadata_store.find_sweep_trial(experiment.id) == trial
    metadata_store.update_sweep_trial(sweep.id, 0, state="complete", value=0.5)
    metadata_store.delete_experiment(experiment.id)
    (kept,) = metadata_store.list_sweep_trials(sweep.id)
    assert (kept.state, kept.value, kept.experiment_id) == ("complete", 0.5, None)
    with pytest.raises(NotFound):
        metadata_store.update_sweep_trial(sweep.id, 9, state="failed")
    metadata_store.delete_sweep(sweep.id)
    assert metadata_store.list_sweep_trials(sweep.id) == []
    with pytest.raises(NotFound):
        metadata_store.get_sweep(sweep.project_id, sweep.id)


def test_a_page_of_sweeps_and_their_trials_tallied_at_once(
    metadata_store: SqlAlchemyMetadataStore, sweep: Sweep
) -> None:
    other = metadata_store.create_sweep(
        sweep.model_copy(update={"id": "swp_0000000000000002", "name": "again"})
    )
    for number, (state, value) in enumerate(
        [("complete", 0.5), ("complete", 0.7), ("pruned", None), ("running", None)]
    ):
        metadata_store.add_sweep_trial(
            SweepTrial(
                sweep_id=sweep.id, number=number, optuna_trial_id=number, state=state, value=value
            )
        )
    first = metadata_store.page_sweeps(sweep.project_id, PageRequest(limit=1, sort="name"))
    assert ([s.name for s in first.items], first.total) == (["again"], 2)
    rest = metadata_store.page_sweeps(
        sweep.project_id, PageRequest(limit=1, cursor=first.next_cursor, sort="name")
    )
    assert [s.name for s in rest.items] == ["search"] and rest.next_cursor is None
    assert [
        s.id for s in metadata_store.page_sweeps(sweep.project_id, PageRequest(), q="AGA").items
    ] == [other.id]
    tallies = metadata_store.tally_sweep_trials([sweep.id, other.id])
    assert tallies == {sweep.id: TrialTally({"complete": 2, "pruned": 1, "running": 1}, 0.7, 0.5)}
    assert metadata_store.tally_sweep_trials([]) == {}
