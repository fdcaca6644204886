"""The metadata store contract for accounts, members, the job queue, events, drafts and
deployments.

Runs on SQLite and (when configured) PostgreSQL, like `test_metadata_store.py`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from kozak.errors import AlreadyExists, JobFailed, NotFound, StoreError
from kozak.store.entities import (
    ApiToken,
    BrowserSession,
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentUsage,
    Draft,
    Event,
    Experiment,
    Job,
    Member,
    Project,
    User,
    utcnow,
)
from kozak.store.sql import Base, SqlAlchemyMetadataStore


@pytest.fixture
def second_store(metadata_store: SqlAlchemyMetadataStore) -> Iterator[SqlAlchemyMetadataStore]:
    """Another store on the same database, as a second worker process or server would open it."""
    store = SqlAlchemyMetadataStore(metadata_store.url)
    yield store
    store.close()


def _user(store: SqlAlchemyMetadataStore, name: str = "ada") -> User:
    return store.create_user(User(name=name, password_hash="argon2$hash"))


def _project(store: SqlAlchemyMetadataStore, name: str = "P") -> Project:
    return store.get_or_create_project(name)


def _experiment(store: SqlAlchemyMetadataStore, project: Project, name: str = "cnn") -> Experiment:
    dataset = store.create_dataset(Dataset(project_id=project.id, name=f"D-{name}"))
    version = store.create_dataset_version(
        DatasetVersion(
            dataset_id=dataset.id,
            name="v1",
            digest="d1",
            row_count=1,
            spec={},
            artifact_path=f"datasets/{dataset.id}/d1",
        )
    )
    return store.create_experiment(
        Experiment(
            project_id=project.id, name=name, dataset_version_id=version.id, graph={}, settings={}
        )
    )


def _job(project: Project, seconds_ago: float = 0.0, **fields: object) -> Job:
    created = utcnow() - timedelta(seconds=seconds_ago)
    return Job.model_validate(
        {"project_id": project.id, "kind": "train", "created_at": created, **fields}
    )


def test_the_migrations_create_exactly_the_declared_tables(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    with metadata_store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


# Users, tokens and browser sessions


def test_users_round_trip(metadata_store: SqlAlchemyMetadataStore) -> None:
    ada = _user(metadata_store, "ada")
    bob = _user(metadata_store, "Bob")
    assert metadata_store.get_user(ada.id) == ada
    assert metadata_store.get_user("ada") == ada
    assert [u.name for u in metadata_store.list_users()] == sorted(["ada", "Bob"])
    with pytest.raises(AlreadyExists):
        _user(metadata_store, "ada")
    with pytest.raises(NotFound) as err:
        metadata_store.get_user("nobody")
    assert err.value.details == {"user": "nobody"}

    updated = metadata_store.update_user(bob.id, is_admin=True, password_hash="argon2$new")
    assert updated.is_admin and updated.password_hash == "argon2$new" and updated.name == "Bob"
    assert metadata_store.get_user(bob.id) == updated
    with pytest.raises(StoreError):
        metadata_store.update_user(bob.id, name="Robert")
    with pytest.raises(NotFound):
        metadata_store.update_user("usr_missing", is_admin=True)


def test_tokens_are_found_by_hash_stamped_and_revoked_by_their_owner(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    ada = _user(metadata_store, "ada")
    bob = _user(metadata_store, "bob")
    old = metadata_store.create_token(
        ApiToken(
            user_id=ada.id,
            name="laptop",
            token_hash="a" * 64,
            prefix="kzk_aaaa",
            created_at=utcnow() - timedelta(days=1),
        )
    )
    new = metadata_store.create_token(
        ApiToken(user_id=ada.id, name="ci", token_hash="b" * 64, prefix="kzk_bbbb")
    )
    assert old.last_used_at is None
    assert [t.id for t in metadata_store.list_tokens(ada.id)] == [new.id, old.id]
    assert metadata_store.list_tokens(bob.id) == []
    with pytest.raises(AlreadyExists):
        metadata_store.create_token(ApiToken(user_id=bob.id, name="x", token_hash="a" * 64, prefix="p"))
    with pytest.raises(NotFound):
        metadata_store.create_token(
            ApiToken(user_id="usr_missing", name="x", token_hash="c", prefix="p")
        )

    found = metadata_store.find_token("a" * 64)
    assert found is not None and found[0].id == old.id and found[0].last_used_at is not None
    assert found[1] == ada
    assert metadata_store.list_tokens(ada.id)[1].last_used_at == found[0].last_used_at
    assert metadata_store.find_token("f" * 64) is None

    with pytest.raises(NotFound):
        metadata_store.revoke_token(bob.id, old.id)
    with pytest.raises(NotFound):
        metadata_store.revoke_token(ada.id, "tok_missing")
    revoked = metadata_store.revoke_token(ada.id, old.id)
    assert revoked.revoked_at is not None
    assert metadata_store.revoke_token(ada.id, old.id).revoked_at == revoked.revoked_at
    still_found = metadata_store.find_token("a" * 64)
    assert still_found is not None and still_found[0].revoked_at == revoked.revoked_at


def test_sessions_expire_and_end(metadata_store: SqlAlchemyMetadataStore) -> None:
    ada = _user(metadata_store)
    live = metadata_store.create_session(
        BrowserSession(
            id="1" * 64, user_id=ada.id, csrf_token="csrf", expires_at=utcnow() + timedelta(hours=1)
        )
    )
    metadata_store.create_session(
        BrowserSession(
            id="2" * 64, user_id=ada.id, csrf_token="csrf", expires_at=utcnow() - timedelta(seconds=1)
        )
    )
    assert metadata_store.get_session(live.id) == (live, ada)
    assert metadata_store.get_session("2" * 64) is None
    assert metadata_store.get_session("3" * 64) is None
    with pytest.raises(NotFound):
        metadata_store.create_session(
            BrowserSession(id="4" * 64, user_id="usr_missing", csrf_token="c", expires_at=utcnow())
        )
    metadata_store.delete_session(live.id)
    assert metadata_store.get_session(live.id) is None
    metadata_store.delete_session(live.id)  # ending a session twice is fine


# Project members


def test_members_and_roles(metadata_store: SqlAlchemyMetadataStore) -> None:
    ada, bob = _user(metadata_store, "ada"), _user(metadata_store, "bob")
    first = _project(metadata_store, "First")
    second = _project(metadata_store, "Second")
    metadata_store.set_member(Member(project_id=first.id, user_id=bob.id, role="viewer"))
    metadata_store.set_member(Member(project_id=first.id, user_id=ada.id, role="owner"))
    metadata_store.set_member(Member(project_id=second.id, user_id=bob.id, role="editor"))
    assert metadata_store.get_role(first.id, bob.id) == "viewer"
    metadata_store.set_member(Member(project_id=first.id, user_id=bob.id, role="editor"))
    assert metadata_store.get_role(first.id, bob.id) == "editor"
    assert metadata_store.list_members(first.id) == [
        Member(project_id=first.id, user_id=ada.id, role="owner"),
        Member(project_id=first.id, user_id=bob.id, role="editor"),
    ]
    assert metadata_store.list_user_projects(bob.id) == [(first, "editor"), (second, "editor")]
    assert metadata_store.list_user_projects(ada.id) == [(first, "owner")]

    with pytest.raises(NotFound):
        metadata_store.set_member(Member(project_id=first.id, user_id="usr_missing", role="viewer"))
    with pytest.raises(NotFound):
        metadata_store.set_member(Member(project_id="prj_missing", user_id=ada.id, role="viewer"))

    metadata_store.remove_member(first.id, bob.id)
    assert metadata_store.get_role(first.id, bob.id) is None
    assert metadata_store.list_user_projects(bob.id) == [(second, "editor")]
    with pytest.raises(NotFound):
        metadata_store.remove_member(first.id, bob.id)


# Jobs


def test_jobs_are_queued_listed_and_claimed_oldest_first(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project = _project(metadata_store)
    other = _project(metadata_store, "Other")
    experiment = _experiment(metadata_store, project)
    newer = metadata_store.enqueue_job(_job(project, 1, payload={"epochs": 3}))
    older = metadata_store.enqueue_job(_job(project, 5, experiment_id=experiment.id))
    elsewhere = metadata_store.enqueue_job(_job(other, 0, kind="evaluate"))
    assert metadata_store.get_job(older.id) == older
    with pytest.raises(NotFound):
        metadata_store.get_job("job_missing")
    with pytest.raises(NotFound):
        metadata_store.enqueue_job(_job(Project(id="prj_missing", name="x")))
    with pytest.raises(NotFound):
        metadata_store.enqueue_job(_job(project, experiment_id="exp_missing"))
    with pytest.raises(StoreError):
        metadata_store.enqueue_job(_job(project, status="running"))
    assert [j.id for j in metadata_store.list_jobs()] == [elsewhere.id, newer.id, older.id]
    assert [j.id for j in metadata_store.list_jobs(project.id)] == [newer.id, older.id]
    assert [j.id for j in metadata_store.list_jobs(experiment_id=experiment.id)] == [older.id]

    claimed = metadata_store.claim_job("worker-1", lease_seconds=60)
    assert claimed is not None and claimed.id == older.id
    assert claimed.status == "running" and claimed.worker_id == "worker-1" and claimed.attempts == 1
    assert claimed.started_at is not None and claimed.heartbeat_at == claimed.started_at
    assert claimed.lease_expires_at is not None
    assert claimed.lease_expires_at - claimed.heartbeat_at == timedelta(seconds=60)
    assert metadata_store.get_job(older.id) == claimed
    assert [j.id for j in metadata_store.list_jobs(statuses=("running",))] == [older.id]
    assert [j.id for j in metadata_store.list_jobs(project.id, statuses=("queued", "failed"))] == [
        newer.id
    ]

    second = metadata_store.claim_job("worker-2", lease_seconds=60)
    third = metadata_store.claim_job("worker-1", lease_seconds=60)
    assert second is not None and second.id == newer.id and second.payload == {"epochs": 3}
    assert third is not None and third.id == elsewhere.id
    assert metadata_store.claim_job("worker-1", lease_seconds=60) is None


def test_heartbeats_renew_the_lease_of_the_owner_only(metadata_store: SqlAlchemyMetadataStore) -> None:
    job = metadata_store.enqueue_job(_job(_project(metadata_store)))
    claimed = metadata_store.claim_job("w1", lease_seconds=10)
    assert claimed is not None and claimed.lease_expires_at is not None
    beat = metadata_store.heartbeat_job(job.id, "w1", lease_seconds=100, log="epoch 1\n")
    assert beat.log == "epoch 1\n" and not beat.cancel_requested
    assert beat.lease_expires_at is not None and beat.lease_expires_at > claimed.lease_expires_at
    assert metadata_store.heartbeat_job(job.id, "w1", lease_seconds=100).log == "epoch 1\n"
    with pytest.raises(JobFailed, match="w1") as err:
        metadata_store.heartbeat_job(job.id, "w2", lease_seconds=100)
    assert err.value.details["job"] == job.id
    with pytest.raises(NotFound):
        metadata_store.heartbeat_job("job_missing", "w1", lease_seconds=100)


def test_finishing_a_job(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = _project(metadata_store)
    job = metadata_store.enqueue_job(_job(project))
    metadata_store.claim_job("w1", lease_seconds=60)
    metadata_store.heartbeat_job(job.id, "w1", lease_seconds=60, log="so far")
    with pytest.raises(StoreError):
        metadata_store.finish_job(job.id, "w1", "running")
    with pytest.raises(JobFailed):
        metadata_store.finish_job(job.id, "w2", "completed")
    done = metadata_store.finish_job(job.id, "w1", "completed")
    assert done.status == "completed" and done.log == "so far" and done.error == ""
    assert done.finished_at is not None and done.lease_expires_at is None and done.worker_id == "w1"
    with pytest.raises(JobFailed, match="completed"):
        metadata_store.finish_job(job.id, "w1", "failed", error="late")
    with pytest.raises(JobFailed):
        metadata_store.heartbeat_job(job.id, "w1", lease_seconds=60)
    # Finishing an already finished job by anyone leaves it as it ended.
    assert metadata_store.finish_job(job.id, None, "failed", error="x") == done

    broken = metadata_store.enqueue_job(_job(project))
    metadata_store.claim_job("w1", lease_seconds=60)
    failed = metadata_store.finish_job(broken.id, "w1", "failed", error="boom", log="full log")
    assert (failed.status, failed.error, failed.log) == ("failed", "boom", "full log")

    queued = metadata_store.enqueue_job(_job(project))
    by_admin = metadata_store.finish_job(queued.id, None, "failed", error="given up")
    assert by_admin.status == "failed" and by_admin.error == "given up" and by_admin.finished_at
    with pytest.raises(NotFound):
        metadata_store.finish_job("job_missing", None, "failed")


def test_cancelling_queued_running_and_finished_jobs(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = _project(metadata_store)
    running = metadata_store.enqueue_job(_job(project, 10))
    queued = metadata_store.enqueue_job(_job(project))
    metadata_store.claim_job("w1", lease_seconds=60)

    cancelled = metadata_store.request_cancel(queued.id)
    assert cancelled.status == "cancelled" and cancelled.finished_at is not None
    assert metadata_store.claim_job("w2", lease_seconds=60) is None

    flagged = metadata_store.request_cancel(running.id)
    assert flagged.status == "running" and flagged.cancel_requested and flagged.finished_at is None
    assert metadata_store.heartbeat_job(running.id, "w1", lease_seconds=60).cancel_requested
    stopped = metadata_store.finish_job(running.id, "w1", "cancelled")
    assert stopped.status == "cancelled"

    assert metadata_store.request_cancel(running.id) == stopped
    assert metadata_store.request_cancel(queued.id) == cancelled
    with pytest.raises(NotFound):
        metadata_store.request_cancel("job_missing")


def test_jobs_whose_lease_ran_out_fail_as_worker_lost(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = _project(metadata_store)
    lost = metadata_store.enqueue_job(_job(project, 2))
    alive = metadata_store.enqueue_job(_job(project, 1))
    metadata_store.claim_job("w-lost", lease_seconds=0.05)
    metadata_store.claim_job("w-alive", lease_seconds=60)
    assert metadata_store.expire_jobs() == []
    time.sleep(0.2)

    expired = metadata_store.expire_jobs()
    assert [j.id for j in expired] == [lost.id]
    assert expired[0].status == "failed" and expired[0].finished_at is not None
    assert expired[0].error.startswith("worker lost: no heartbeat for") and "w-lost" in expired[0].error
    assert expired[0].lease_expires_at is None
    assert metadata_store.get_job(lost.id) == expired[0]
    assert metadata_store.get_job(alive.id).status == "running"
    assert metadata_store.expire_jobs() == []

    with pytest.raises(JobFailed, match="worker lost"):
        metadata_store.heartbeat_job(lost.id, "w-lost", lease_seconds=60)
    with pytest.raises(JobFailed):
        metadata_store.finish_job(lost.id, "w-lost", "completed")
    assert metadata_store.get_job(lost.id).status == "failed"


def _run_together(workers: list[Callable[[], None]]) -> None:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as exc:  # reported in the test's thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []


def test_concurrent_workers_claim_every_job_exactly_once(
    metadata_store: SqlAlchemyMetadataStore, second_store: SqlAlchemyMetadataStore
) -> None:
    project = _project(metadata_store)
    jobs = [metadata_store.enqueue_job(_job(project, 100 - i)) for i in range(20)]
    claims: dict[str, list[str]] = {"w1": [], "w2": []}
    start = threading.Barrier(2)

    def worker(store: SqlAlchemyMetadataStore, worker_id: str) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            while (job := store.claim_job(worker_id, lease_seconds=60)) is not None:
                assert job.worker_id == worker_id
                claims[worker_id].append(job.id)

        return work

    _run_together([worker(metadata_store, "w1"), worker(second_store, "w2")])
    claimed = claims["w1"] + claims["w2"]
    assert sorted(claimed) == sorted(j.id for j in jobs)
    for worker_id, ids in claims.items():
        assert all(metadata_store.get_job(i).worker_id == worker_id for i in ids)
    assert all(j.attempts == 1 for j in metadata_store.list_jobs(project.id))


def test_concurrent_servers_expire_each_job_once(
    metadata_store: SqlAlchemyMetadataStore, second_store: SqlAlchemyMetadataStore
) -> None:
    project = _project(metadata_store)
    for i in range(10):
        metadata_store.enqueue_job(_job(project, 100 - i))
    while metadata_store.claim_job("w", lease_seconds=0.01) is not None:
        pass
    time.sleep(0.1)
    expired: dict[str, list[str]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def server(store: SqlAlchemyMetadataStore, name: str) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            expired[name] = [j.id for j in store.expire_jobs()]

        return work

    _run_together([server(metadata_store, "a"), server(second_store, "b")])
    both = expired["a"] + expired["b"]
    assert len(both) == len(set(both)) == 10
    assert {j.status for j in metadata_store.list_jobs(project.id)} == {"failed"}


# Events


def test_events_are_appended_in_order_and_read_after_an_id(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project = _project(metadata_store)
    other = _project(metadata_store, "Other")
    assert metadata_store.append_events([]) == []
    first = metadata_store.append_event(Event(project_id=project.id, kind="status", data={"s": "up"}))
    batch = metadata_store.append_events(
        [
            Event(project_id=project.id, experiment_id="exp_a", kind="epoch", data={"epoch": i})
            for i in range(1, 4)
        ]
        + [Event(project_id=other.id, kind="status")]
    )
    later = metadata_store.append_event(
        Event(project_id=project.id, experiment_id="exp_b", kind="progress")
    )
    ids = [first.id, *(e.id for e in batch), later.id]
    assert ids == sorted(ids) and len(set(ids)) == len(ids) and first.id > 0
    assert batch[0].data == {"epoch": 1} and batch[0].experiment_id == "exp_a"

    mine = metadata_store.list_events(project.id)
    assert mine == [first, *batch[:3], later]
    assert metadata_store.list_events(project.id, after=batch[0].id) == [*batch[1:3], later]
    assert metadata_store.list_events(project.id, after=first.id, limit=2) == batch[:2]
    assert metadata_store.list_events(project.id, experiment_id="exp_a", after=batch[1].id) == [batch[2]]
    assert metadata_store.list_events(project.id, after=later.id) == []
    assert metadata_store.list_events(other.id) == [batch[3]]
    with pytest.raises(NotFound):
        metadata_store.append_event(Event(project_id="prj_missing", kind="status"))


# Dataset drafts


def test_drafts_round_trip(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = _project(metadata_store)
    other = _project(metadata_store, "Other")
    dataset = metadata_store.create_dataset(Dataset(project_id=project.id, name="D"))
    new = metadata_store.create_draft(Draft(project_id=project.id, name="upload", created_by="ada"))
    edit = metadata_store.create_draft(
        Draft(
            project_id=project.id,
            name="edit",
            dataset_id=dataset.id,
            created_at=utcnow() + timedelta(seconds=1),
        )
    )
    assert metadata_store.get_draft(project.id, new.id) == new and new.spec is None
    assert metadata_store.list_drafts(project.id) == [new, edit]
    with pytest.raises(NotFound):
        metadata_store.get_draft(other.id, new.id)
    with pytest.raises(NotFound):
        metadata_store.create_draft(Draft(project_id=other.id, name="x", dataset_id=dataset.id))
    with pytest.raises(NotFound):
        metadata_store.create_draft(Draft(project_id="prj_missing", name="x"))

    files = [{"name": "a.csv", "path": "drafts/a.csv", "size": 10, "sha256": "0" * 64}]
    updated = metadata_store.update_draft(new.id, files=files, spec={"features": []}, name="renamed")
    assert updated.files == files and updated.spec == {"features": []} and updated.name == "renamed"
    assert updated.updated_at >= new.updated_at and updated.created_at == new.created_at
    assert metadata_store.get_draft(project.id, new.id) == updated
    assert metadata_store.update_draft(new.id, spec=None).spec is None
    with pytest.raises(StoreError):
        metadata_store.update_draft(new.id, project_id=other.id)
    with pytest.raises(NotFound):
        metadata_store.update_draft("drf_missing", name="x")

    metadata_store.delete_draft(new.id)
    with pytest.raises(NotFound):
        metadata_store.get_draft(project.id, new.id)
    with pytest.raises(NotFound):
        metadata_store.delete_draft(new.id)
    metadata_store.delete_dataset(dataset.id)
    assert metadata_store.list_drafts(project.id) == []


# Deleting


def test_deleting_a_project_removes_its_members_jobs_events_and_drafts(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    ada = _user(metadata_store)
    project = _project(metadata_store)
    keep = _project(metadata_store, "Keep")
    experiment = _experiment(metadata_store, project)
    for p in (project, keep):
        metadata_store.set_member(Member(project_id=p.id, user_id=ada.id, role="owner"))
        metadata_store.enqueue_job(_job(p))
        metadata_store.append_event(Event(project_id=p.id, kind="status"))
        metadata_store.create_draft(Draft(project_id=p.id, name="d"))
    metadata_store.enqueue_job(_job(project, experiment_id=experiment.id))
    metadata_store.claim_job("w", lease_seconds=60)

    metadata_store.delete_project(project.id)
    assert metadata_store.list_members(project.id) == []
    assert metadata_store.list_jobs(project.id) == []
    assert metadata_store.list_events(project.id) == []
    assert metadata_store.list_drafts(project.id) == []
    assert metadata_store.list_user_projects(ada.id) == [(keep, "owner")]
    assert len(metadata_store.list_jobs(keep.id)) == 1
    assert len(metadata_store.list_events(keep.id)) == 1
    assert len(metadata_store.list_drafts(keep.id)) == 1
    assert metadata_store.get_user(ada.id) == ada


def test_deleting_an_experiment_keeps_its_jobs_and_events(
    metadata_store: SqlAlchemyMetadataStore,
) -> None:
    project = _project(metadata_store)
    experiment = _experiment(metadata_store, project)
    job = metadata_store.enqueue_job(_job(project, experiment_id=experiment.id))
    event = metadata_store.append_event(
        Event(project_id=project.id, experiment_id=experiment.id, kind="status")
    )
    metadata_store.delete_experiment(experiment.id)
    assert metadata_store.get_job(job.id).experiment_id is None
    assert metadata_store.list_events(project.id, experiment_id=experiment.id) == [event]


def _deployment(store: SqlAlchemyMetadataStore, experiment: Experiment, name: str) -> Deployment:
    return store.create_deployment(
        Deployment(
            project_id=experiment.project_id,
            experiment_id=experiment.id,
            name=name,
            checkpoint="best",
            epoch=3,
            token_hash="a" * 64,
            token_prefix="kzd_aaaa",
        )
    )


def test_deployments_round_trip(metadata_store: SqlAlchemyMetadataStore) -> None:
    project = _project(metadata_store)
    experiment = _experiment(metadata_store, project)
    first = _deployment(metadata_store, experiment, "growth")
    later = first.model_copy(update={"id": "dep_later", "name": "growth-2"})
    later = metadata_store.create_deployment(
        later.model_copy(update={"created_at": utcnow() + timedelta(seconds=1)})
    )
    assert metadata_store.get_deployment(first.id) == first
    assert metadata_store.list_deployments(project.id) == [first, later]
    assert metadata_store.list_deployments(_project(metadata_store, "Other").id) == []
    with pytest.raises(AlreadyExists):
        _deployment(metadata_store, experiment, "growth")
    with pytest.raises(NotFound):
        metadata_store.get_deployment("dep_missing")

    off = metadata_store.update_deployment(first.id, enabled=False, token_hash="b" * 64)
    assert not off.enabled and off.token_hash == "b" * 64 and off.updated_at >= first.updated_at
    assert metadata_store.get_deployment(first.id) == off
    with pytest.raises(StoreError):
        metadata_store.update_deployment(first.id, checkpoint="last")

    # Deleting the experiment leaves the deployment (it keeps its own weights).
    metadata_store.delete_experiment(experiment.id)
    assert metadata_store.get_deployment(first.id).experiment_id is None
    metadata_store.delete_deployment(first.id)
    with pytest.raises(NotFound):
        metadata_store.get_deployment(first.id)
    with pytest.raises(NotFound):
        metadata_store.delete_deployment(first.id)


def test_usage_flushed_at_once_by_several_processes_adds_up(
    metadata_store: SqlAlchemyMetadataStore, database_url: str
) -> None:
    """API processes flush their own counts: a minute none has written yet, written by two
    stores (two engines, as two processes have) from eight threads each at once, counts all."""
    deployment = _deployment(metadata_store, _experiment(metadata_store, _project(metadata_store)), "d")
    minute = utcnow().replace(second=0, microsecond=0)
    other = SqlAlchemyMetadataStore(database_url)
    start = threading.Barrier(16)

    def flush(store: SqlAlchemyMetadataStore, latency: float) -> None:
        one = DeploymentUsage(
            deployment_id=deployment.id,
            minute=minute,
            requests=1,
            errors=0,
            rows=2,
            latency_ms_sum=latency,
            latency_ms_max=latency,
        )
        start.wait(30)
        store.add_deployment_usage([one])

    try:
        with ThreadPoolExecutor(16) as pool:
            done = [
                pool.submit(flush, store, float(i))
                for i in range(8)
                for store in (metadata_store, other)
            ]
            for future in done:
                future.result(60)
    finally:
        other.close()
    (row,) = metadata_store.list_deployment_usage(deployment.id, since=minute)
    assert (row.requests, row.rows, row.latency_ms_sum, row.latency_ms_max) == (16, 32, 56.0, 7.0)


def test_deployment_usage_adds_up_per_minute(metadata_store: SqlAlchemyMetadataStore) -> None:
    experiment = _experiment(metadata_store, _project(metadata_store))
    deployment = _deployment(metadata_store, experiment, "growth")
    minute = utcnow().replace(second=0, microsecond=0)
    next_minute = minute + timedelta(minutes=1)

    def usage(at: datetime, requests: int, latency_max: float) -> DeploymentUsage:
        return DeploymentUsage(
            deployment_id=deployment.id,
            minute=at,
            requests=requests,
            errors=1,
            rows=requests * 2,
            latency_ms_sum=requests * 1.5,
            latency_ms_max=latency_max,
        )

    metadata_store.add_deployment_usage([usage(minute, 3, 4.0)])
    metadata_store.add_deployment_usage([usage(minute, 2, 9.0), usage(next_minute, 1, 1.0)])
    rows = metadata_store.list_deployment_usage(deployment.id, since=minute - timedelta(hours=1))
    assert [(r.minute, r.requests, r.errors, r.rows, r.latency_ms_max) for r in rows] == [
        (minute, 5, 2, 10, 9.0),
        (next_minute, 1, 1, 2, 1.0),
    ]
    assert rows[0].latency_ms_sum == pytest.approx(7.5)
    assert len(metadata_store.list_deployment_usage(deployment.id, since=next_minute)) == 1

    # Usage of a deployment deleted meanwhile is dropped, not an error.
    metadata_store.update_deployment(deployment.id, enabled=False)
    metadata_store.delete_deployment(deployment.id)
    metadata_store.add_deployment_usage([usage(next_minute + timedelta(minutes=1), 1, 1.0)])
