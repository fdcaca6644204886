"""The metadata store contract, run on SQLite and (when configured) PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import event, text

from kozak.errors import AlreadyExists, InvalidConfig, NotFound, StoreError
from kozak.store.entities import (
    BrowserSession,
    Dataset,
    DatasetVersion,
    EpochMetrics,
    Experiment,
    Member,
    Project,
    ReferenceLine,
    User,
    utcnow,
)
from kozak.store.paging import PageRequest
from kozak.store.sql import (
    SqlAlchemyMetadataStore,
    current_revision,
    head_revision,
    upgrade_database,
)
from old_schema import schema_at


def _version(dataset_id: str, name: str = "v1", digest: str = "d1") -> DatasetVersion:
    return DatasetVersion(
        dataset_id=dataset_id,
        name=name,
        digest=digest,
        row_count=3,
        spec={"features": []},
        stats={"all": {}},
        sources=[{"file": "a.csv"}],
        subset_counts={"training": 2},
        artifact_path=f"datasets/{dataset_id}/{digest}",
    )


def test_fresh_database_is_migrated_to_head(metadata_store: SqlAlchemyMetadataStore) -> None:
    assert current_revision(metadata_store.engine) == head_revision()


def test_projects_round_trip(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(
        Project(name="Yeast", description="5'UTRs", created_by="ada")
    )
    assert metadata_store.get_project(project.id) == project
    assert metadata_store.get_project("Yeast") == project
    assert metadata_store.list_projects() == [project]
    with pytest.raises(AlreadyExists, match="you already have a project named 'Yeast'"):
        metadata_store.create_project(Project(name="Yeast", created_by="ada"))
    assert metadata_store.get_or_create_project("Yeast") == project
    other = metadata_store.get_or_create_project("Other")
    assert [p.name for p in metadata_store.list_projects()] == ["Yeast", "Other"]
    metadata_store.delete_project(other.id)
    with pytest.raises(NotFound):
        metadata_store.get_project("Other")


def test_a_projects_reference_lines_are_replaced_whole(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project = metadata_store.create_project(Project(name="Replication"))
    assert project.reference_lines == ()
    lines = [
        ReferenceLine(name="Paper (test)", metric="pearson_r2", value=0.62),
        ReferenceLine(name="Goal", metric="mae", value=0.125),
    ]
    updated = metadata_store.set_reference_lines(project.id, lines)
    assert updated.reference_lines == tuple(lines)
    assert metadata_store.get_project("Replication") == updated
    assert metadata_store.set_reference_lines(project.id, lines[1:]).reference_lines == (lines[1],)
    with pytest.raises(NotFound):
        metadata_store.set_reference_lines("prj_0000000000000000", lines)


def test_migration_0010_gives_cuperus2017_projects_the_papers_line(database_url: str) -> None:
    """The UI drew the paper's r² for experiments of the cuperus2017 presets: their projects keep
    it, as a reference line of their own; other projects start with none."""
    with schema_at(database_url, "0008") as add:
        for project_id in ("prj_1", "prj_2"):
            add("projects", id=project_id, name=project_id)
        add("datasets", id="dst_1", project_id="prj_1", name="D")
        add("dataset_versions", id="dsv_1", dataset_id="dst_1")
        for experiment_id, project_id, graph in (
            ("exp_1", "prj_1", {"name": "cuperus2017-tutorial", "nodes": []}),
            ("exp_2", "prj_2", {"name": "custom", "nodes": []}),
        ):
            add(
                "experiments", id=experiment_id, project_id=project_id, name=experiment_id,
                dataset_version_id="dsv_1", graph=graph,
            )  # fmt: skip
    upgrade_database(database_url)
    store = SqlAlchemyMetadataStore(database_url)
    try:
        paper = ReferenceLine(name="Paper (Cuperus 2017, test)", metric="pearson_r2", value=0.62)
        assert store.get_project("prj_1").reference_lines == (paper,)
        assert store.get_project("prj_2").reference_lines == ()
    finally:
        store.close()


def test_project_names_are_unique_per_creator(metadata_store: SqlAlchemyMetadataStore) -> None:
    ada = metadata_store.create_user(User(name="ada", password_hash="x"))
    bob = metadata_store.create_user(User(name="bob", password_hash="x"))
    mine = metadata_store.create_project(Project(name="Yeast", created_by="ada"))
    theirs = metadata_store.create_project(Project(name="Yeast", created_by="bob"))
    metadata_store.set_member(Member(project_id=mine.id, user_id=ada.id, role="owner"))
    metadata_store.set_member(Member(project_id=theirs.id, user_id=bob.id, role="owner"))
    assert metadata_store.get_membership("Yeast", ada.id) == (mine, "owner")
    assert metadata_store.get_membership("Yeast", bob.id) == (theirs, "owner")
    assert metadata_store.get_project(theirs.id) == theirs
    with pytest.raises(NotFound):
        metadata_store.get_membership(theirs.id, ada.id)
    with pytest.raises(InvalidConfig, match="the name of several projects; refer to it by id"):
        metadata_store.get_project("Yeast")


def test_look_ups_in_one_connection_check_out_the_pool_once_on_a_server(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    ada = metadata_store.create_user(User(name="ada", password_hash="x"))
    project = metadata_store.create_project(Project(name="Yeast", created_by="ada"))
    metadata_store.set_member(Member(project_id=project.id, user_id=ada.id, role="owner"))
    checkouts: list[object] = []
    event.listen(metadata_store.engine, "checkout", lambda *args: checkouts.append(args))

    def look_ups() -> None:
        assert metadata_store.get_membership("Yeast", ada.id) == (project, "owner")
        with pytest.raises(NotFound):  # an error inside leaves the connection usable
            metadata_store.get_membership("Other", ada.id)
        with metadata_store.one_connection():  # nested: the same connection
            assert metadata_store.get_membership(project.id, ada.id) == (project, "owner")
        assert metadata_store.page_experiments(project.id, PageRequest()).total == 0  # a page too

    look_ups()
    apart = len(checkouts)
    checkouts.clear()
    with metadata_store.one_connection():
        look_ups()
    together = len(checkouts)
    assert apart == 4
    # SQLite's connections cost nothing to check out: there it changes nothing.
    assert together == (4 if metadata_store.engine.dialect.name == "sqlite" else 1)
    checkouts.clear()
    look_ups()  # and afterwards, each look-up its own again
    assert len(checkouts) == 4


def test_datasets_belong_to_a_project(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="P"))
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="Native"))
    assert metadata_store.get_dataset(project.id, "Native") == dataset
    assert metadata_store.get_dataset(project.id, dataset.id) == dataset
    assert metadata_store.list_datasets(project.id) == [dataset]
    with pytest.raises(AlreadyExists):
        metadata_store.create_dataset(Dataset(project_id=project.id, name="Native"))
    with pytest.raises(NotFound):
        metadata_store.create_dataset(Dataset(project_id="prj_missing", name="X"))
    with pytest.raises(NotFound) as err:
        metadata_store.get_dataset(project.id, "Nope")
    assert err.value.details == {"dataset": "Nope"}


def test_versions_are_unique_by_name_and_digest(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="P"))
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="D"))
    v1 = metadata_store.create_dataset_version(_version(dataset.id))
    stored = metadata_store.get_dataset_version(dataset.id, "v1")
    assert stored == v1 and stored.spec == {"features": []} and stored.subset_counts == {"training": 2}
    assert metadata_store.find_dataset_version_by_digest(dataset.id, "d1") == v1
    assert metadata_store.get_dataset_version_by_id(v1.id) == v1
    with pytest.raises(NotFound):
        metadata_store.get_dataset_version_by_id("dsv_missing")
    assert metadata_store.find_dataset_version_by_digest(dataset.id, "other") is None
    with pytest.raises(AlreadyExists):
        metadata_store.create_dataset_version(_version(dataset.id, name="v2", digest="d1"))
    with pytest.raises(AlreadyExists):
        metadata_store.create_dataset_version(_version(dataset.id, name="v1", digest="d2"))
    v2 = metadata_store.create_dataset_version(_version(dataset.id, name="v2", digest="d2"))
    assert metadata_store.list_dataset_versions(dataset.id) == [v1, v2]


def test_batch_insert_is_one_transaction(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="P"))
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="D"))
    with pytest.raises(AlreadyExists):
        metadata_store.create_dataset_versions(
            [_version(dataset.id, "a", "x"), _version(dataset.id, "b", "x")]
        )
    assert metadata_store.list_dataset_versions(dataset.id) == []


def test_deleting_a_project_cascades(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = metadata_store.create_project(Project(name="P"))
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="D"))
    metadata_store.create_dataset_version(_version(dataset.id))
    metadata_store.delete_project(project.id)
    assert metadata_store.list_datasets(project.id) == []
    assert metadata_store.list_dataset_versions(dataset.id) == []


def test_outdated_schema_is_refused_with_the_upgrade_command(database_url: str) -> None:
    store = SqlAlchemyMetadataStore(database_url)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    store.close()
    with pytest.raises(StoreError, match="kozak db upgrade"):
        SqlAlchemyMetadataStore(database_url)


def _experiment(store: SqlAlchemyMetadataStore, name: str = "cnn") -> Experiment:
    project = store.get_or_create_project("P")
    try:
        dataset = store.get_dataset(project.id, "D")
    except NotFound:
        dataset = store.create_dataset(Dataset(project_id=project.id, name="D"))
    version = store.find_dataset_version_by_digest(dataset.id, "d1") or store.create_dataset_version(
        _version(dataset.id)
    )
    return Experiment(
        project_id=project.id,
        name=name,
        dataset_version_id=version.id,
        graph={"nodes": []},
        settings={"epochs": 3},
    )


def test_experiments_round_trip_and_update(metadata_store: SqlAlchemyMetadataStore) -> None:
    experiment = metadata_store.create_experiment(_experiment(metadata_store))
    assert metadata_store.get_experiment(experiment.project_id, "cnn") == experiment
    with pytest.raises(AlreadyExists):
        metadata_store.create_experiment(_experiment(metadata_store))
    updated = metadata_store.update_experiment(experiment.id, status="running", epochs_done=1)
    assert updated.status == "running" and updated.updated_at >= experiment.updated_at
    assert metadata_store.get_experiment(experiment.project_id, experiment.id) == updated
    with pytest.raises(StoreError):
        metadata_store.update_experiment(experiment.id, project_id="other")
    clone = metadata_store.create_experiment(
        _experiment(metadata_store, "clone").model_copy(update={"parent_id": experiment.id})
    )
    assert [e.name for e in metadata_store.list_experiments(experiment.project_id)] == ["cnn", "clone"]
    metadata_store.delete_experiment(experiment.id)
    assert metadata_store.get_experiment(clone.project_id, "clone").parent_id is None


def test_an_experiment_needs_its_dataset_version(metadata_store: SqlAlchemyMetadataStore) -> None:
    orphan = _experiment(metadata_store).model_copy(update={"dataset_version_id": "dsv_missing"})
    with pytest.raises(NotFound):
        metadata_store.create_experiment(orphan)


def test_epochs_are_logged_in_order_and_replaced_on_resume(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    experiment = metadata_store.create_experiment(_experiment(metadata_store))
    metadata_store.log_epochs(
        [EpochMetrics(experiment_id=experiment.id, epoch=e, metrics={"loss": 1.0 / e}) for e in (2, 1)]
    )
    metadata_store.log_epoch(EpochMetrics(experiment_id=experiment.id, epoch=2, metrics={"loss": 0.3}))
    epochs = metadata_store.list_epochs(experiment.id)
    assert [(e.epoch, e.metrics["loss"]) for e in epochs] == [(1, 1.0), (2, 0.3)]
    metadata_store.delete_experiment(experiment.id)
    assert metadata_store.list_epochs(experiment.id) == []


def test_an_epoch_and_the_progress_it_makes_are_recorded_together(
    metadata_store: SqlAlchemyMetadataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    experiment = metadata_store.create_experiment(_experiment(metadata_store))
    first = EpochMetrics(experiment_id=experiment.id, epoch=1, metrics={"val_loss": 0.5})
    ended = metadata_store.end_epoch(first, best_epoch=1)
    assert (ended.epochs_done, ended.best_epoch, ended.best_value) == (1, 1, 0.5)
    assert metadata_store.get_experiment(experiment.project_id, experiment.id) == ended

    def fail(*args: object) -> None:
        raise StoreError("the database failed")

    monkeypatch.setattr(metadata_store, "_update_experiment", fail)
    second = EpochMetrics(experiment_id=experiment.id, epoch=2, metrics={"val_loss": 0.4})
    with pytest.raises(StoreError):
        metadata_store.end_epoch(second, best_epoch=2)
    assert [e.epoch for e in metadata_store.list_epochs(experiment.id)] == [1]  # rolled back


@pytest.mark.parametrize(
    "name", ["prj_0123456789abcdef", "ds_00000000deadbeef", " exp_aaaaaaaaaaaaaaaa "]
)
def test_names_shaped_like_ids_are_refused(metadata_store: SqlAlchemyMetadataStore, name: str) -> None:
    with pytest.raises(InvalidConfig, match="shaped like an id") as refused:
        metadata_store.create_project(Project(name=name))
    assert refused.value.details["field"] == "name"
    project = metadata_store.create_project(Project(name="Lab"))
    with pytest.raises(InvalidConfig, match="shaped like an id"):
        metadata_store.create_dataset(Dataset(project_id=project.id, name=name))
    assert metadata_store.create_project(Project(name="prj_notanid")).name == "prj_notanid"


def test_a_reference_that_is_one_id_and_another_name_is_ambiguous(
    metadata_store: SqlAlchemyMetadataStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = metadata_store.create_project(Project(name="Target"))
    monkeypatch.setattr("kozak.store.sql.check_name", lambda name, kind: name)  # a legacy row
    metadata_store.create_project(Project(name=target.id))
    with pytest.raises(InvalidConfig, match="refer to it by id"):
        metadata_store.get_project(target.id)
    assert metadata_store.get_project("Target").id == target.id


def test_database_errors_reach_callers_without_sql_or_values(
    metadata_store: SqlAlchemyMetadataStore, caplog: pytest.LogCaptureFixture
) -> None:
    user = metadata_store.create_user(User(name="ada", password_hash="x"))
    session = BrowserSession(
        id="secret-session-digest", user_id=user.id, csrf_token="c", expires_at=utcnow()
    )
    metadata_store.create_session(session)
    with pytest.raises(AlreadyExists) as clash:
        metadata_store.create_session(session)  # the same primary key: the database refuses
    with metadata_store.engine.begin() as connection:
        connection.execute(text("DROP TABLE deployment_usage"))
    with pytest.raises(StoreError) as failed:
        metadata_store.list_deployment_usage("dep_0123456789abcdef", since=utcnow())
    for message in (clash.value.message, failed.value.message):
        lowered = message.lower()
        assert "insert" not in lowered and "select" not in lowered
        assert "secret-session-digest" not in message and "deployment_usage" not in message
    assert "secret-session-digest" in caplog.text  # the log has what the caller does not


def test_migration_0009_keeps_every_child_row(database_url: str) -> None:
    """SQLite rebuilds `projects` to drop its old constraint: no cascade may reach the children."""
    with schema_at(database_url, "0008") as add:
        add("projects", id="prj_1", name="Yeast", created_by="ada")
        add("datasets", id="dst_1", project_id="prj_1", name="D")
    assert upgrade_database(database_url) == head_revision()
    store = SqlAlchemyMetadataStore(database_url)
    try:
        assert store.get_dataset("prj_1", "D").id == "dst_1"
        store.create_project(Project(name="Yeast", created_by="bob"))
        with store.engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM datasets").scalar() == 1
        if store.engine.dialect.name == "sqlite":  # the pool's connections enforce foreign keys again
            with store.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        store.close()
