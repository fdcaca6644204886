"""The metadata store interface: domain entities in, domain entities out.

Implementations raise `NotFound` / `AlreadyExists` for missing and duplicate entities, and
`StoreError` for everything else that goes wrong underneath.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kozak.errors import NotFound
from kozak.store.entities import (
    ApiToken,
    BrowserSession,
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentUsage,
    Design,
    Draft,
    EpochMetrics,
    Event,
    Experiment,
    ExperimentHead,
    Job,
    Member,
    Project,
    ReferenceLine,
    Sweep,
    SweepTrial,
    User,
)
from kozak.store.paging import PageOf, PageRequest


@dataclass(frozen=True)
class ExperimentFilter:
    """Which experiments a list page holds; every field given narrows it (None: any).

    `q` is a case-insensitive part of the name, `ids` the experiments themselves;
    `best_min`/`best_max` bound the best epoch's monitored value (`best_value`), and
    `best_metric` names that metric.
    """

    q: str | None = None
    ids: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    dataset_version_id: str | None = None
    parent_id: str | None = None
    best_metric: str | None = None
    best_min: float | None = None
    best_max: float | None = None


@dataclass(frozen=True)
class TrialTally:
    """A sweep's trials counted by state, and the extremes of its completed trials' values."""

    states: dict[str, int]
    best_max: float | None
    best_min: float | None


@dataclass(frozen=True)
class ExperimentListing:
    """An experiment as a list page holds it: with its active job and its parent's name."""

    experiment: ExperimentHead
    job: Job | None
    parent_name: str | None


class MetadataStore(abc.ABC):
    """Persistent catalogue of users, projects, datasets, experiments, jobs and events."""

    def close(self) -> None:  # noqa: B027  # optional: stores without connections keep this
        """Release connections; the store is not used afterwards."""

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """The look-ups (token, browser session, membership, experiment) and pages inside share
        one connection, where the store has connections worth sharing: a request's reads."""
        yield

    # Projects
    @abc.abstractmethod
    def create_project(self, project: Project) -> Project:
        """Insert a project; its name must be unique among its creator's projects."""

    @abc.abstractmethod
    def get_project(self, id_or_name: str) -> Project:
        """A project by id or by name.

        Raises:
            NotFound: no such project.
            InvalidConfig: the name is ambiguous; the message says to use the id.
        """

    @abc.abstractmethod
    def get_membership(self, id_or_name: str, user_id: str) -> tuple[Project, str]:
        """A project by id or by name among the user's projects, with the user's role (one query).

        Raises:
            NotFound: no such project among the user's.
            InvalidConfig: the name is ambiguous among them; the message says to use the id.
        """

    @abc.abstractmethod
    def list_projects(self) -> list[Project]:
        """All projects, oldest first."""

    @abc.abstractmethod
    def page_user_projects(
        self, user_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[tuple[Project, str]]:
        """A page of the projects a user is a member of, with their role; `q` a part of the name
        or description."""

    @abc.abstractmethod
    def delete_project(self, project_id: str) -> None:
        """Delete a project and everything in it."""

    @abc.abstractmethod
    def set_reference_lines(self, project_id: str, lines: Sequence[ReferenceLine]) -> Project:
        """Replace a project's reference lines; returns the project.

        Raises:
            NotFound: No such project.
        """

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
    def page_datasets(
        self,
        project_id: str,
        request: PageRequest,
        q: str | None = None,
        version_id: str | None = None,
    ) -> PageOf[Dataset]:
        """A page of a project's datasets (default oldest first); `q` a part of the name,
        `version_id` a version the dataset holds (a page of one dataset or none)."""

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

    @abc.abstractmethod
    def list_versions_of(self, dataset_ids: list[str]) -> list[DatasetVersion]:
        """The versions of these datasets in one look-up, oldest first."""

    @abc.abstractmethod
    def page_dataset_versions(self, dataset_id: str, request: PageRequest) -> PageOf[DatasetVersion]:
        """A page of a dataset's versions (default oldest first)."""

    # Experiments
    @abc.abstractmethod
    def create_experiment(self, experiment: Experiment) -> Experiment:
        """Insert an experiment; its name must be unique within its project."""

    @abc.abstractmethod
    def get_experiment(self, project_id: str, id_or_name: str) -> Experiment:
        """An experiment of a project by id or by name."""

    @abc.abstractmethod
    def get_experiment_listing(self, project_id: str, id_or_name: str) -> ExperimentListing:
        """An experiment (whole) with its active job and its parent's name, in one query.

        Raises:
            NotFound: no such experiment in the project.
        """

    @abc.abstractmethod
    def list_experiments(self, project_id: str) -> list[Experiment]:
        """The experiments of a project, oldest first."""

    @abc.abstractmethod
    def page_experiments(
        self, project_id: str, request: PageRequest, where: ExperimentFilter = ExperimentFilter()
    ) -> PageOf[ExperimentListing]:
        """A page of a project's experiments (default oldest first), each with its active job."""

    @abc.abstractmethod
    def experiment_status_counts(self, project_id: str) -> dict[str, int]:
        """How many of a project's experiments have each status (absent: none)."""

    @abc.abstractmethod
    def recent_experiments(self, user_id: str, limit: int) -> list[tuple[Experiment, Project]]:
        """The most recently changed experiments of the projects `user_id` is a member of."""

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
    def end_epoch(self, metrics: EpochMetrics, best_epoch: int | None) -> Experiment:
        """Record a run's epoch and, in the same transaction, the experiment's progress: its
        `epochs_done` (this epoch) and `best_epoch`; returns the experiment."""

    @abc.abstractmethod
    def log_epochs(self, metrics: list[EpochMetrics]) -> None:
        """Record epochs in one transaction; an epoch logged again (after a resume) is replaced."""

    @abc.abstractmethod
    def list_epochs(self, experiment_id: str) -> list[EpochMetrics]:
        """An experiment's epochs in order."""

    # Users, tokens and browser sessions
    @abc.abstractmethod
    def create_user(self, user: User) -> User:
        """Insert a user; names are unique."""

    @abc.abstractmethod
    def get_user(self, id_or_name: str) -> User:
        """A user by id or by name."""

    @abc.abstractmethod
    def list_users(self) -> list[User]:
        """All users, by name."""

    @abc.abstractmethod
    def update_user(self, user_id: str, **changes: Any) -> User:
        """Change `password_hash` or `is_admin`."""

    @abc.abstractmethod
    def create_token(self, token: ApiToken) -> ApiToken:
        """Insert an API token (its hash)."""

    @abc.abstractmethod
    def find_token(self, token_hash: str) -> tuple[ApiToken, User] | None:
        """The token with this hash, revoked or not, and its owner (one query); stamps
        `last_used_at` when found."""

    @abc.abstractmethod
    def list_tokens(self, user_id: str) -> list[ApiToken]:
        """A user's tokens, newest first."""

    @abc.abstractmethod
    def revoke_token(self, user_id: str, token_id: str) -> ApiToken:
        """Mark a user's token revoked (NotFound for another user's token)."""

    @abc.abstractmethod
    def record_login_failure(self, keys: Sequence[str], at: float, forget_before: float) -> None:
        """Count a failed log-in against each key at `at`, and forget every failure (of any key)
        from before `forget_before`."""

    @abc.abstractmethod
    def recent_login_failures(self, keys: Sequence[str], since: float) -> dict[str, list[float]]:
        """Each key's failures after `since`, oldest first (keys without any are left out)."""

    @abc.abstractmethod
    def forget_login_failures(self, key: str) -> None:
        """Forget every failure counted against `key`."""

    @abc.abstractmethod
    def create_session(self, session: BrowserSession) -> BrowserSession:
        """Insert a browser session."""

    @abc.abstractmethod
    def get_session(self, session_id: str) -> tuple[BrowserSession, User] | None:
        """The session with this id, if it exists and has not expired, and its user (one query)."""

    @abc.abstractmethod
    def delete_session(self, session_id: str) -> None:
        """End a session (nothing happens when it does not exist)."""

    @abc.abstractmethod
    def end_user_access(
        self, user_id: str, *, keep_session_id: str | None = None, keep_token_hash: str | None = None
    ) -> None:
        """End every browser session and revoke every token of a user, but the ones named."""

    # Project members
    @abc.abstractmethod
    def set_member(self, member: Member) -> Member:
        """Add a user to a project or change their role."""

    @abc.abstractmethod
    def remove_member(self, project_id: str, user_id: str) -> None:
        """Take a user out of a project (NotFound when not a member)."""

    @abc.abstractmethod
    def list_members(self, project_id: str) -> list[Member]:
        """A project's members."""

    @abc.abstractmethod
    def get_role(self, project_id: str, user_id: str) -> str | None:
        """The user's role in the project, None when not a member."""

    @abc.abstractmethod
    def list_user_projects(self, user_id: str) -> list[tuple[Project, str]]:
        """The projects a user is a member of, with their role, oldest first."""

    # Jobs
    @abc.abstractmethod
    def enqueue_job(self, job: Job) -> Job:
        """Insert a queued job."""

    @abc.abstractmethod
    def get_job(self, job_id: str) -> Job:
        """A job by id."""

    @abc.abstractmethod
    def list_jobs(
        self,
        project_id: str | None = None,
        *,
        statuses: tuple[str, ...] = (),
        experiment_id: str | None = None,
    ) -> list[Job]:
        """Jobs, newest first, filtered by project, status and experiment."""

    @abc.abstractmethod
    def page_jobs(
        self,
        project_id: str,
        request: PageRequest,
        *,
        statuses: tuple[str, ...] = (),
        experiment_id: str | None = None,
    ) -> PageOf[Job]:
        """A page of a project's jobs (default newest first), by status and experiment."""

    @abc.abstractmethod
    def claim_job(self, worker_id: str, lease_seconds: float) -> Job | None:
        """Atomically take the oldest queued job (FOR UPDATE SKIP LOCKED on PostgreSQL).

        The job becomes `running`, owned by `worker_id`, with a lease of `lease_seconds`;
        two workers never get the same job. None when the queue is empty.
        """

    @abc.abstractmethod
    def heartbeat_job(
        self, job_id: str, worker_id: str, lease_seconds: float, log: str | None = None
    ) -> Job:
        """Renew the lease of a job the worker still owns (and save its log so far).

        Returns the job, so the worker sees `cancel_requested`; raises `JobFailed` when the
        worker no longer owns it (the lease expired and the job was marked failed).
        """

    @abc.abstractmethod
    def finish_job(
        self, job_id: str, worker_id: str | None, status: str, error: str = "", log: str = ""
    ) -> Job:
        """Mark a job completed, failed or cancelled (by its worker, or by anyone when None)."""

    @abc.abstractmethod
    def request_cancel(self, job_id: str) -> Job:
        """Ask for a job to stop: a queued job is cancelled at once, a running one is flagged."""

    @abc.abstractmethod
    def expire_jobs(self) -> list[Job]:
        """Mark running jobs whose lease ran out `failed` ("worker lost"); returns them."""

    # Events
    @abc.abstractmethod
    def append_events(self, events: list[Event]) -> list[Event]:
        """Append events; returns them with their assigned, increasing ids."""

    def append_event(self, event: Event) -> Event:
        """Append one event; see `append_events`."""
        return self.append_events([event])[0]

    @abc.abstractmethod
    def list_events(
        self, project_id: str, *, after: int = 0, experiment_id: str | None = None, limit: int = 500
    ) -> list[Event]:
        """A project's events with id > `after` (optionally of one experiment), oldest first."""

    # Dataset drafts
    @abc.abstractmethod
    def create_draft(self, draft: Draft) -> Draft:
        """Insert a draft."""

    @abc.abstractmethod
    def get_draft(self, project_id: str, draft_id: str) -> Draft:
        """A draft of a project."""

    @abc.abstractmethod
    def list_drafts(self, project_id: str) -> list[Draft]:
        """A project's drafts, oldest first."""

    @abc.abstractmethod
    def update_draft(self, draft_id: str, **changes: Any) -> Draft:
        """Change `name`, `description`, `files` or `spec`; stamps `updated_at`."""

    @abc.abstractmethod
    def delete_draft(self, draft_id: str) -> None:
        """Delete a draft row (the caller removes its files)."""

    # Deployments
    @abc.abstractmethod
    def create_deployment(self, deployment: Deployment) -> Deployment:
        """Insert a deployment.

        Raises:
            AlreadyExists: If the project has a deployment of that name.
        """

    @abc.abstractmethod
    def get_deployment(self, deployment_id: str) -> Deployment:
        """A deployment by id (any project: the forward endpoint knows only the id)."""

    @abc.abstractmethod
    def list_deployments(self, project_id: str) -> list[Deployment]:
        """A project's deployments, oldest first."""

    @abc.abstractmethod
    def page_deployments(
        self, project_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[Deployment]:
        """A page of a project's deployments (default oldest first); `q` a part of the name."""

    @abc.abstractmethod
    def update_deployment(self, deployment_id: str, **changes: Any) -> Deployment:
        """Change `name`, `enabled`, `token_hash`, `token_prefix`; stamps `updated_at`."""

    @abc.abstractmethod
    def delete_deployment(self, deployment_id: str) -> None:
        """Delete a deployment row and its usage (the caller removes its files)."""

    @abc.abstractmethod
    def add_deployment_usage(self, usage: list[DeploymentUsage]) -> None:
        """Add counts to the per-minute usage rows (created when missing); maxima are kept."""

    @abc.abstractmethod
    def list_deployment_usage(self, deployment_id: str, *, since: datetime) -> list[DeploymentUsage]:
        """A deployment's usage rows from `since`, oldest first."""

    # Designs
    @abc.abstractmethod
    def create_design(self, design: Design) -> Design:
        """Insert a design.

        Raises:
            AlreadyExists: If the project has a design of that name.
        """

    @abc.abstractmethod
    def get_design(self, project_id: str, id_or_name: str) -> Design:
        """A design of a project by id or by name."""

    @abc.abstractmethod
    def list_designs(self, project_id: str) -> list[Design]:
        """A project's designs, oldest first."""

    @abc.abstractmethod
    def page_designs(
        self, project_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[tuple[Design, Job | None]]:
        """A page of the project's designs (sorts `created`, `name`), each with its job."""

    @abc.abstractmethod
    def update_design(self, design_id: str, **changes: Any) -> Design:
        """Change `name`, `job_id` or `summary`; stamps `updated_at`."""

    @abc.abstractmethod
    def delete_design(self, design_id: str) -> None:
        """Delete a design row (the caller removes its files)."""

    # Sweeps
    @abc.abstractmethod
    def create_sweep(self, sweep: Sweep) -> Sweep:
        """Insert a sweep; its name must be unique within its project."""

    @abc.abstractmethod
    def get_sweep(self, project_id: str, id_or_name: str) -> Sweep:
        """A sweep of a project by id or by name."""

    @abc.abstractmethod
    def list_sweeps(self, project_id: str) -> list[Sweep]:
        """A project's sweeps, oldest first."""

    @abc.abstractmethod
    def page_sweeps(self, project_id: str, request: PageRequest, q: str | None = None) -> PageOf[Sweep]:
        """A page of the project's sweeps (sorts `created`, `name`, `status`)."""

    @abc.abstractmethod
    def tally_sweep_trials(self, sweep_ids: list[str]) -> dict[str, TrialTally]:
        """Each sweep's trials counted by state, in one statement for a whole page of sweeps
        (a sweep without trials is absent)."""

    @abc.abstractmethod
    def update_sweep(self, sweep_id: str, **changes: Any) -> Sweep:
        """Change `status`, `message`, `skipped` or `finished_at`; stamps `updated_at`."""

    @abc.abstractmethod
    def take_trial_slot(self, sweep_id: str, budget: int) -> bool:
        """Atomically count one more trial started, if the sweep runs and fewer than `budget`
        were started; whether it did (two workers never both take the last slot)."""

    @abc.abstractmethod
    def add_skipped(self, sweep_id: str, count: int) -> None:
        """Add `count` to the sweep's skipped (invalid) combinations."""

    @abc.abstractmethod
    def delete_sweep(self, sweep_id: str) -> None:
        """Delete a sweep and its trial rows (its experiments stay)."""

    @abc.abstractmethod
    def add_sweep_trial(self, trial: SweepTrial) -> SweepTrial:
        """Insert a trial row."""

    @abc.abstractmethod
    def update_sweep_trial(self, sweep_id: str, number: int, **changes: Any) -> SweepTrial:
        """Change a trial's `state`, `value`, `pruned_epoch`, `message` or `experiment_id`."""

    @abc.abstractmethod
    def list_sweep_trials(self, sweep_id: str) -> list[SweepTrial]:
        """A sweep's trials by number."""

    @abc.abstractmethod
    def find_sweep_trial(self, experiment_id: str) -> SweepTrial | None:
        """The trial that trains this experiment, if one does."""
