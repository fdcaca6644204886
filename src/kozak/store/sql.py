"""The SQLAlchemy metadata store: SQLite by default (WAL, foreign keys on), PostgreSQL by URL.

The schema is owned by the Alembic migrations shipped in `kozak/store/migrations`. A fresh
database is migrated on first open; an outdated one is refused with the command that upgrades it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar
from typing import cast as type_cast

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Engine,
    Float,
    Row,
    Update,
    and_,
    bindparam,
    case,
    cast,
    create_engine,
    delete,
    event,
    func,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kozak.errors import (
    AlreadyExists,
    InvalidConfig,
    JobFailed,
    KozakError,
    NotFound,
    StoreError,
)
from kozak.store.entities import (
    ApiToken,
    BrowserSession,
    Dataset,
    DatasetVersion,
    Deployment,
    DeploymentUsage,
    Design,
    Draft,
    Entity,
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
    check_name,
    utcnow,
)
from kozak.store.metadata import ExperimentFilter, ExperimentListing, MetadataStore, TrialTally
from kozak.store.paging import AnySelect, PageOf, PageRequest, SortKey, contains, fetch_page
from kozak.store.statuses import JOB_ACTIVE, JOB_FINISHED, TrialState
from kozak.store.summaries import DERIVED, best_summary, planned_epochs
from kozak.store.tables import (
    ApiTokenRow,
    Base,
    BrowserSessionRow,
    DatasetRow,
    DatasetVersionRow,
    DeploymentRow,
    DeploymentUsageRow,
    DesignRow,
    DraftRow,
    EpochMetricsRow,
    EventRow,
    ExperimentRow,
    JobRow,
    LoginFailureRow,
    MemberRow,
    ProjectRow,
    SweepRow,
    SweepTrialRow,
    UserRow,
)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
TOKEN_STAMP_INTERVAL = timedelta(minutes=1)
log = logging.getLogger("kozak.store")
E = TypeVar("E", bound=Entity)

# Attempts a worker makes at taking a job other workers keep taking first, before it reports
# an empty queue for now (it polls again); only SQLite, which has no SKIP LOCKED, ever retries.
_CLAIM_ATTEMPTS = 50
# PostgreSQL advisory lock held while appending events, so ids become visible in id order.
_EVENTS_LOCK = 0x6B6F7A616B


_EXPERIMENT_SORTS = {
    "created": SortKey(ExperimentRow.created_at),
    "updated": SortKey(ExperimentRow.updated_at),
    "name": SortKey(ExperimentRow.name),
    "status": SortKey(ExperimentRow.status),
    "progress": SortKey(
        case(
            (
                ExperimentRow.epochs_planned > 0,
                cast(ExperimentRow.epochs_done, Float) / ExperimentRow.epochs_planned,
            ),
            else_=0.0,
        )
    ),
    # Lower `best_score` is better whatever the metric: ascending is best first.
    "best": SortKey(ExperimentRow.best_score, nullable=True),
    "epochs": SortKey(ExperimentRow.epochs_done),
    "params": SortKey(ExperimentRow.param_count, nullable=True),
}
_PROJECT_SORTS = {"created": SortKey(ProjectRow.created_at), "name": SortKey(ProjectRow.name)}
_DATASET_SORTS = {"created": SortKey(DatasetRow.created_at), "name": SortKey(DatasetRow.name)}
_VERSION_SORTS = {
    "created": SortKey(DatasetVersionRow.created_at),
    "name": SortKey(DatasetVersionRow.name),
    "rows": SortKey(DatasetVersionRow.row_count),
}
_DEPLOYMENT_SORTS = {
    "created": SortKey(DeploymentRow.created_at),
    "updated": SortKey(DeploymentRow.updated_at),
    "name": SortKey(DeploymentRow.name),
}
_DESIGN_SORTS = {"created": SortKey(DesignRow.created_at), "name": SortKey(DesignRow.name)}
_SWEEP_SORTS = {
    "created": SortKey(SweepRow.created_at),
    "name": SortKey(SweepRow.name),
    "status": SortKey(SweepRow.status),
}
_JOB_SORTS = {
    "created": SortKey(JobRow.created_at),
    "status": SortKey(JobRow.status),
    "kind": SortKey(JobRow.kind),
}


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout on every connection."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def _alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of Kozak."""
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert head is not None  # the package always ships at least one migration
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for a database Kozak never touched."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_database(url: str) -> str:
    """Apply all pending migrations to the database at `url`; returns the new revision."""
    engine = make_engine(url)
    try:
        command.upgrade(_alembic_config(engine), "head")
        return current_revision(engine) or ""
    finally:
        engine.dispose()


def _aware(value: datetime) -> datetime:
    # SQLite drops the time zone; every stored time is UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _changed_rows(session: Session, statement: Update) -> int:
    """Run a guarded UPDATE (compare-and-set) and say how many rows it changed."""
    result = session.execute(statement.execution_options(synchronize_session=False))
    return type_cast("CursorResult[Any]", result).rowcount


def _check_changes(kind: str, changes: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(changes) - allowed
    if unknown:
        raise StoreError(f"cannot change {kind} fields {sorted(unknown)}")


def _require(session: Session, row_type: type[Base], key: str, what: str) -> None:
    """NotFound unless the row with primary key `key` exists (a clearer error than the FK's)."""
    if session.get(row_type, key) is None:
        raise NotFound(f"no {what} {key!r}", **{what: key})


def _not_owned(job: Job, worker_id: str) -> JobFailed:
    """The error a worker gets for a job it no longer holds."""
    if job.status == "running":
        reason = f"worker {job.worker_id!r} holds it"
    else:
        reason = f"it is {job.status}" + (f" ({job.error})" if job.error else "")
    return JobFailed(
        f"worker {worker_id!r} no longer owns job {job.id}: {reason}",
        job=job.id,
        status=job.status,
        worker=worker_id,
    )


def _by_ref(session: Session, query: AnySelect, ref: str, kind: str) -> Any:
    """The one entity `query` (an id-or-name match) finds, None when none."""
    rows = list(session.scalars(query.limit(2)))
    _one_match(ref, kind, [row.id for row in rows])
    return rows[0] if rows else None


def _row_by_ref(
    session: Session, query: AnySelect, kind: str, ref: str, **params: Any
) -> Row[Any] | None:
    """The one result row `query` finds, None when none: a prepared id-or-name match of at most
    two rows, the id selected first, its `ref` and other `params` bound here."""
    rows = list(session.execute(query, {"ref": ref, **params}))
    _one_match(ref, kind, [row[0] for row in rows])
    return rows[0] if rows else None


def _one_match(ref: str, kind: str, ids: list[str]) -> None:
    """Raises InvalidConfig when `ref` matched two: one's id and another's name, or two names."""
    if len(ids) > 1:
        if ref in ids:
            clash = f"the id of one {kind} and the name of another"
        else:
            clash = f"the name of several {kind}s"
        raise InvalidConfig(f"{ref!r} is {clash}; refer to it by id", **{kind: ref})


def _entity(cls: type[E], row: Base) -> E:
    return _validated(cls, {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs})


def _validated(cls: type[E], values: dict[str, Any]) -> E:
    for key, value in values.items():
        if isinstance(value, datetime):
            values[key] = _aware(value)
    return cls.model_validate(values)


class _Flat(Generic[E]):
    """A table's columns, to select as plain values rather than ORM objects, and the entity made
    from a row's slice of them."""

    def __init__(self, entity: type[E], row_type: type[Base], names: Sequence[str] = ()) -> None:
        columns = {attr.key: attr.columns[0] for attr in inspect(row_type).column_attrs}
        self.entity = entity
        self.names = tuple(names or columns)  # the id first, as the tables define it
        self.columns = tuple(columns[name] for name in self.names)

    def __len__(self) -> int:
        return len(self.names)

    def load(self, values: Sequence[Any]) -> E:
        return _validated(self.entity, dict(zip(self.names, values, strict=True)))


_TOKEN = _Flat(ApiToken, ApiTokenRow)
_SESSION = _Flat(BrowserSession, BrowserSessionRow)
_USER = _Flat(User, UserRow)
_PROJECT = _Flat(Project, ProjectRow)
_JOB = _Flat(Job, JobRow)
_EXPERIMENT = _Flat(Experiment, ExperimentRow)
# A list page selects the head columns only: decoding every row's graph and settings JSON was
# most of a page's time.
_HEAD = _Flat(ExperimentHead, ExperimentRow, list(ExperimentHead.model_fields))


_experiments, _jobs = ExperimentRow.__table__, JobRow.__table__


def _with_job_and_parent(experiment: _Flat[Any]) -> AnySelect:
    """The `experiment` columns, then each one's active job and its parent's name."""
    # At most one active job per experiment (uq_jobs_active_experiment): the join adds no rows.
    active = and_(_jobs.c.experiment_id == _experiments.c.id, _jobs.c.status.in_(JOB_ACTIVE))
    parent = _experiments.alias("parent")
    joined = _experiments.outerjoin(_jobs, active).outerjoin(
        parent, parent.c.id == _experiments.c.parent_id
    )
    return select(*experiment.columns, *_JOB.columns, parent.c.name).select_from(joined)


def _id_or_name(table: Any) -> ColumnElement[bool]:
    return or_(table.c.id == bindparam("ref"), table.c.name == bindparam("ref"))


# The statements every request runs are built once, of table columns, their values bound at each
# call. Built per call of ORM entities, they cost three times as much: a token's look-up took
# 0.40 ms, now 0.14; a membership 0.49, now 0.14; an experiment with its job 0.69, now 0.22.
_HEADS_WITH_JOB = _with_job_and_parent(_HEAD)
_EXPERIMENT_REF = and_(_experiments.c.project_id == bindparam("project_id"), _id_or_name(_experiments))
_EXPERIMENT_BY_REF = select(*_EXPERIMENT.columns).where(_EXPERIMENT_REF).limit(2)
_EXPERIMENT_LISTING = _with_job_and_parent(_EXPERIMENT).where(_EXPERIMENT_REF).limit(2)
_tokens, _browser_sessions, _users = (
    ApiTokenRow.__table__,
    BrowserSessionRow.__table__,
    UserRow.__table__,
)
_TOKEN_WITH_USER = (
    select(*_TOKEN.columns, *_USER.columns)
    .select_from(_tokens.join(_users, _users.c.id == _tokens.c.user_id))
    .where(_tokens.c.token_hash == bindparam("token_hash"))
)
_SESSION_WITH_USER = (
    select(*_SESSION.columns, *_USER.columns)
    .select_from(_browser_sessions.join(_users, _users.c.id == _browser_sessions.c.user_id))
    .where(_browser_sessions.c.id == bindparam("session_id"))
)
_projects, _members = ProjectRow.__table__, MemberRow.__table__
_MEMBERSHIP = (
    select(*_PROJECT.columns, _members.c.role)
    .select_from(_projects.join(_members, _members.c.project_id == _projects.c.id))
    .where(_id_or_name(_projects), _members.c.user_id == bindparam("user_id"))
    .limit(2)
)
_PROJECT_BY_REF = select(*_PROJECT.columns).where(_id_or_name(_projects)).limit(2)


def _listing(experiment: _Flat[Any], row: Sequence[Any]) -> ExperimentListing:
    """An `_with_job_and_parent(experiment)` row as a listing."""
    job = row[len(experiment) : len(experiment) + len(_JOB)]
    return ExperimentListing(
        experiment.load(row[: len(experiment)]), None if job[0] is None else _JOB.load(job), row[-1]
    )


class SqlAlchemyMetadataStore(MetadataStore):
    """`MetadataStore` on any SQLAlchemy URL."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite's driver pays for each switch of a connection's isolation more than a
        # transaction costs there (a token look-up: 1.1 ms instead of 0.55).
        self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._lookups = (
            self._sessions
            if self.engine.dialect.name == "sqlite"
            else sessionmaker(self._autocommit, expire_on_commit=False)
        )
        self._held: ContextVar[Connection | None] = ContextVar(f"held-{id(self)}", default=None)
        self._check_schema(auto_migrate)

    def _check_schema(self, auto_migrate: bool) -> None:
        try:
            revision = current_revision(self.engine)
            if revision == head_revision():
                return
            if revision is None and auto_migrate:
                if inspect(self.engine).has_table(ProjectRow.__tablename__):
                    raise StoreError(
                        "the database has Kozak tables but no migration record; "
                        "restore it from a backup or point KOZAK_DATABASE_URL elsewhere",
                        url=self._safe_url(),
                    )
                command.upgrade(_alembic_config(self.engine), "head")
                return
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot open the metadata database: {exc}", url=self._safe_url()) from exc
        raise StoreError(
            f"the database schema is at revision {revision}, this Kozak needs "
            f"{head_revision()}; run `kozak db upgrade`",
            url=self._safe_url(),
        )

    def _safe_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        """Release the connection pool."""
        self.engine.dispose()

    @contextmanager
    def one_connection(self) -> Iterator[None]:
        """On a database server the look-ups and pages inside run on one connection: a request
        checks its token and its membership and reads an experiment or a page with one check-out
        of the pool and one pre-ping (a round trip each) instead of three. SQLite's connections
        cost nothing to check out: there, and inside another `one_connection`, this does
        nothing."""
        if self._lookups is self._sessions or self._held.get() is not None:
            yield
            return
        with self._autocommit.connect() as connection:
            held = self._held.set(connection)
            try:
                yield
            finally:
                self._held.reset(held)

    @contextmanager
    def _session(self, *, lookup: bool = False) -> Iterator[Session]:
        """Commit on success; domain errors pass through, database errors become StoreError.

        A `lookup` (the look-ups every request makes, and pages) runs each statement in a
        transaction of its own on a database server: it needs no snapshot across statements (a
        page's count and rows never shared one there: PostgreSQL's READ COMMITTED takes one per
        statement), and on PostgreSQL a transaction's BEGIN and COMMIT are two more round trips
        (a token look-up on a 2-core machine: 0.95 ms, not 1.29). Inside `one_connection` it runs
        on the held connection.
        """
        held = self._held.get() if lookup else None
        if held is not None:
            session = Session(held, expire_on_commit=False)
        else:
            session = (self._lookups if lookup else self._sessions)()
        try:
            yield session
            session.commit()
        except KozakError:
            session.rollback()
            raise
        except IntegrityError as exc:
            session.rollback()
            # The database's message holds SQL and values: for the log, never for the caller.
            log.warning("integrity error in the metadata store", exc_info=exc)
            raise AlreadyExists(
                "the change conflicts with what is stored (a name in use, or an entity changed "
                "meanwhile); reload and try again"
            ) from exc
        except SQLAlchemyError as exc:
            session.rollback()
            log.error("metadata store error", exc_info=exc)
            raise StoreError("the metadata database failed; the server log has the details") from exc
        finally:
            session.close()

    # Projects
    def create_project(self, project: Project) -> Project:
        check_name(project.name, "project")
        with self._session() as s:
            mine = (ProjectRow.name == project.name) & (ProjectRow.created_by == project.created_by)
            if s.scalar(select(ProjectRow.id).where(mine)):
                raise AlreadyExists(f"you already have a project named {project.name!r}")
            s.add(ProjectRow(**project.model_dump()))
        return project

    def get_project(self, id_or_name: str) -> Project:
        with self._session() as s:
            found = _row_by_ref(s, _PROJECT_BY_REF, "project", id_or_name)
            if found is None:
                raise NotFound(f"no project {id_or_name!r}", project=id_or_name)
            return _PROJECT.load(found)

    def get_membership(self, id_or_name: str, user_id: str) -> tuple[Project, str]:
        with self._session(lookup=True) as s:
            found = _row_by_ref(s, _MEMBERSHIP, "project", id_or_name, user_id=user_id)
            if found is None:
                raise NotFound(f"no project {id_or_name!r}", project=id_or_name)
            return _PROJECT.load(found[:-1]), found[-1]

    def set_reference_lines(self, project_id: str, lines: Sequence[ReferenceLine]) -> Project:
        with self._session() as s:
            row = s.get(ProjectRow, project_id)
            if row is None:
                raise NotFound(f"no project {project_id!r}", project=project_id)
            row.reference_lines = [line.model_dump() for line in lines]
            s.flush()
            return _entity(Project, row)

    def list_projects(self) -> list[Project]:
        with self._session() as s:
            rows = s.scalars(select(ProjectRow).order_by(ProjectRow.created_at, ProjectRow.name))
            return [_entity(Project, r) for r in rows]

    def page_user_projects(
        self, user_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[tuple[Project, str]]:
        query = (
            select(ProjectRow, MemberRow.role)
            .join(MemberRow, MemberRow.project_id == ProjectRow.id)
            .where(MemberRow.user_id == user_id)
        )
        if q:
            query = query.where(or_(contains(ProjectRow.name, q), contains(ProjectRow.description, q)))
        with self._session(lookup=True) as s:
            found = fetch_page(
                s, query, request, sorts=_PROJECT_SORTS, default="created", tiebreak=ProjectRow.id
            )
            return found.map(lambda row: (_entity(Project, row[0]), row[1]))

    def delete_project(self, project_id: str) -> None:
        with self._session() as s:
            row = s.get(ProjectRow, project_id)
            if row is None:
                raise NotFound(f"no project {project_id!r}", project=project_id)
            s.delete(row)

    # Datasets
    def create_dataset(self, dataset: Dataset) -> Dataset:
        check_name(dataset.name, "dataset")
        with self._session() as s:
            if s.get(ProjectRow, dataset.project_id) is None:
                raise NotFound(f"no project {dataset.project_id!r}", project=dataset.project_id)
            taken = s.scalar(
                select(DatasetRow.id).where(
                    DatasetRow.project_id == dataset.project_id, DatasetRow.name == dataset.name
                )
            )
            if taken:
                raise AlreadyExists(
                    f"the project already has a dataset named {dataset.name!r}",
                    dataset=dataset.name,
                )
            s.add(DatasetRow(**dataset.model_dump()))
        return dataset

    def get_dataset(self, project_id: str, id_or_name: str) -> Dataset:
        with self._session() as s:
            row = _by_ref(
                s,
                select(DatasetRow).where(
                    DatasetRow.project_id == project_id,
                    or_(DatasetRow.id == id_or_name, DatasetRow.name == id_or_name),
                ),
                id_or_name,
                "dataset",
            )
            if row is None:
                raise NotFound(f"no dataset {id_or_name!r} in this project", dataset=id_or_name)
            return _entity(Dataset, row)

    def list_datasets(self, project_id: str) -> list[Dataset]:
        with self._session() as s:
            rows = s.scalars(
                select(DatasetRow)
                .where(DatasetRow.project_id == project_id)
                .order_by(DatasetRow.created_at, DatasetRow.name)
            )
            return [_entity(Dataset, r) for r in rows]

    def page_datasets(
        self,
        project_id: str,
        request: PageRequest,
        q: str | None = None,
        version_id: str | None = None,
    ) -> PageOf[Dataset]:
        query = select(DatasetRow).where(DatasetRow.project_id == project_id)
        if q:
            query = query.where(contains(DatasetRow.name, q))
        if version_id:
            holder = select(DatasetVersionRow.dataset_id).where(DatasetVersionRow.id == version_id)
            query = query.where(DatasetRow.id.in_(holder))
        with self._session(lookup=True) as s:
            found = fetch_page(
                s, query, request, sorts=_DATASET_SORTS, default="created", tiebreak=DatasetRow.id
            )
            return found.map(lambda row: _entity(Dataset, row))

    def delete_dataset(self, dataset_id: str) -> None:
        with self._session() as s:
            row = s.get(DatasetRow, dataset_id)
            if row is None:
                raise NotFound(f"no dataset {dataset_id!r}", dataset=dataset_id)
            s.delete(row)

    # Dataset versions
    def create_dataset_versions(self, versions: list[DatasetVersion]) -> list[DatasetVersion]:
        for version in versions:
            check_name(version.name, "version")
        with self._session() as s:
            for version in versions:
                if s.get(DatasetRow, version.dataset_id) is None:
                    raise NotFound(f"no dataset {version.dataset_id!r}", dataset=version.dataset_id)
                clash = s.scalar(
                    select(DatasetVersionRow.name).where(
                        DatasetVersionRow.dataset_id == version.dataset_id,
                        or_(
                            DatasetVersionRow.name == version.name,
                            DatasetVersionRow.digest == version.digest,
                        ),
                    )
                )
                if clash:
                    raise AlreadyExists(
                        f"the dataset already has a version {clash!r} with this name or content",
                        version=clash,
                    )
                s.add(DatasetVersionRow(**version.model_dump()))
                s.flush()
        return versions

    def get_dataset_version(self, dataset_id: str, id_or_name: str) -> DatasetVersion:
        with self._session() as s:
            row = _by_ref(
                s,
                select(DatasetVersionRow).where(
                    DatasetVersionRow.dataset_id == dataset_id,
                    or_(DatasetVersionRow.id == id_or_name, DatasetVersionRow.name == id_or_name),
                ),
                id_or_name,
                "version",
            )
            if row is None:
                raise NotFound(f"no version {id_or_name!r} of this dataset", version=id_or_name)
            return _entity(DatasetVersion, row)

    def get_dataset_version_by_id(self, version_id: str) -> DatasetVersion:
        with self._session() as s:
            row = s.get(DatasetVersionRow, version_id)
            if row is None:
                raise NotFound(f"no dataset version {version_id!r}", version=version_id)
            return _entity(DatasetVersion, row)

    def find_dataset_version_by_digest(self, dataset_id: str, digest: str) -> DatasetVersion | None:
        with self._session() as s:
            row = s.scalar(
                select(DatasetVersionRow).where(
                    DatasetVersionRow.dataset_id == dataset_id, DatasetVersionRow.digest == digest
                )
            )
            return None if row is None else _entity(DatasetVersion, row)

    def list_dataset_versions(self, dataset_id: str) -> list[DatasetVersion]:
        with self._session() as s:
            rows = s.scalars(
                select(DatasetVersionRow)
                .where(DatasetVersionRow.dataset_id == dataset_id)
                .order_by(DatasetVersionRow.created_at, DatasetVersionRow.name)
            )
            return [_entity(DatasetVersion, r) for r in rows]

    def list_versions_of(self, dataset_ids: list[str]) -> list[DatasetVersion]:
        if not dataset_ids:
            return []
        with self._session() as s:
            rows = s.scalars(
                select(DatasetVersionRow)
                .where(DatasetVersionRow.dataset_id.in_(dataset_ids))
                .order_by(DatasetVersionRow.created_at, DatasetVersionRow.name)
            )
            return [_entity(DatasetVersion, r) for r in rows]

    def page_dataset_versions(self, dataset_id: str, request: PageRequest) -> PageOf[DatasetVersion]:
        query = select(DatasetVersionRow).where(DatasetVersionRow.dataset_id == dataset_id)
        with self._session(lookup=True) as s:
            found = fetch_page(
                s,
                query,
                request,
                sorts=_VERSION_SORTS,
                default="created",
                tiebreak=DatasetVersionRow.id,
            )
            return found.map(lambda row: _entity(DatasetVersion, row))

    # Experiments
    def create_experiment(self, experiment: Experiment) -> Experiment:
        check_name(experiment.name, "experiment")
        with self._session() as s:
            if s.get(ProjectRow, experiment.project_id) is None:
                raise NotFound(f"no project {experiment.project_id!r}", project=experiment.project_id)
            if s.get(DatasetVersionRow, experiment.dataset_version_id) is None:
                raise NotFound(
                    f"no dataset version {experiment.dataset_version_id!r}",
                    version=experiment.dataset_version_id,
                )
            taken = s.scalar(
                select(ExperimentRow.id).where(
                    ExperimentRow.project_id == experiment.project_id,
                    ExperimentRow.name == experiment.name,
                )
            )
            if taken:
                raise AlreadyExists(
                    f"the project already has an experiment named {experiment.name!r}",
                    experiment=experiment.name,
                )
            experiment = experiment.model_copy(
                update={
                    "epochs_planned": planned_epochs(experiment.settings),
                    **best_summary(experiment.settings, None, None),
                }
            )
            s.add(ExperimentRow(**experiment.model_dump()))
        return experiment

    def get_experiment(self, project_id: str, id_or_name: str) -> Experiment:
        with self._session() as s:
            found = _row_by_ref(s, _EXPERIMENT_BY_REF, "experiment", id_or_name, project_id=project_id)
            if found is None:
                raise NotFound(f"no experiment {id_or_name!r} in this project", experiment=id_or_name)
            return _EXPERIMENT.load(found)

    def get_experiment_listing(self, project_id: str, id_or_name: str) -> ExperimentListing:
        with self._session(lookup=True) as s:
            row = _row_by_ref(s, _EXPERIMENT_LISTING, "experiment", id_or_name, project_id=project_id)
            if row is None:
                raise NotFound(f"no experiment {id_or_name!r} in this project", experiment=id_or_name)
            return _listing(_EXPERIMENT, row)

    def list_experiments(self, project_id: str) -> list[Experiment]:
        with self._session() as s:
            rows = s.scalars(
                select(ExperimentRow)
                .where(ExperimentRow.project_id == project_id)
                .order_by(ExperimentRow.created_at, ExperimentRow.name)
            )
            return [_entity(Experiment, r) for r in rows]

    def page_experiments(
        self, project_id: str, request: PageRequest, where: ExperimentFilter = ExperimentFilter()
    ) -> PageOf[ExperimentListing]:
        query = _HEADS_WITH_JOB.where(ExperimentRow.project_id == project_id)
        conditions: list[ColumnElement[bool]] = []
        if where.q:
            conditions.append(contains(ExperimentRow.name, where.q))
        if where.ids:
            conditions.append(ExperimentRow.id.in_(where.ids))
        if where.statuses:
            conditions.append(ExperimentRow.status.in_(where.statuses))
        if where.dataset_version_id is not None:
            conditions.append(ExperimentRow.dataset_version_id == where.dataset_version_id)
        if where.parent_id is not None:
            conditions.append(ExperimentRow.parent_id == where.parent_id)
        if where.best_metric is not None:
            conditions.append(ExperimentRow.best_metric == where.best_metric)
        if where.best_min is not None:
            conditions.append(ExperimentRow.best_value >= where.best_min)
        if where.best_max is not None:
            conditions.append(ExperimentRow.best_value <= where.best_max)
        with self._session(lookup=True) as s:
            found = fetch_page(
                s,
                query.where(*conditions),
                request,
                sorts=_EXPERIMENT_SORTS,
                default="created",
                tiebreak=ExperimentRow.id,
                counted=select(ExperimentRow.id).where(
                    ExperimentRow.project_id == project_id, *conditions
                ),
            )
            return found.map(lambda row: _listing(_HEAD, row))

    def experiment_status_counts(self, project_id: str) -> dict[str, int]:
        with self._session(lookup=True) as s:
            rows = s.execute(
                select(ExperimentRow.status, func.count())
                .where(ExperimentRow.project_id == project_id)
                .group_by(ExperimentRow.status)
            ).all()
            return {status: count for status, count in rows}

    def recent_experiments(self, user_id: str, limit: int) -> list[tuple[Experiment, Project]]:
        with self._session() as s:
            rows = s.execute(
                select(ExperimentRow, ProjectRow)
                .join(ProjectRow, ProjectRow.id == ExperimentRow.project_id)
                .join(
                    MemberRow,
                    and_(MemberRow.project_id == ProjectRow.id, MemberRow.user_id == user_id),
                )
                .order_by(ExperimentRow.updated_at.desc(), ExperimentRow.id.desc())
                .limit(limit)
            ).all()
            return [(_entity(Experiment, e), _entity(Project, p)) for e, p in rows]

    def update_experiment(self, experiment_id: str, **changes: Any) -> Experiment:
        if "name" in changes:
            check_name(changes["name"], "experiment")
        fixed = {"id", "project_id", "created_at", *DERIVED}
        unknown = set(changes) - (set(Experiment.model_fields) - fixed)
        if unknown:
            raise StoreError(f"cannot change experiment fields {sorted(unknown)}")
        with self._session() as s:
            return self._update_experiment(s, experiment_id, changes)

    def _update_experiment(self, s: Session, experiment_id: str, changes: dict[str, Any]) -> Experiment:
        row = s.get(ExperimentRow, experiment_id)
        if row is None:
            raise NotFound(f"no experiment {experiment_id!r}", experiment=experiment_id)
        current = _entity(Experiment, row)
        updated = Experiment.model_validate({**current.model_dump(), **changes, "updated_at": utcnow()})
        if "best_epoch" in changes or "settings" in changes:
            updated = updated.model_copy(update=self._summary(s, updated))
        for key, value in updated.model_dump().items():
            setattr(row, key, value)
        return updated

    @staticmethod
    def _summary(s: Session, experiment: Experiment) -> dict[str, Any]:
        """The derived list fields of `experiment` (one look-up of its best epoch's metrics)."""
        metrics = None
        if experiment.best_epoch is not None:
            metrics = s.scalar(
                select(EpochMetricsRow.metrics).where(
                    EpochMetricsRow.experiment_id == experiment.id,
                    EpochMetricsRow.epoch == experiment.best_epoch,
                )
            )
        return {
            "epochs_planned": planned_epochs(experiment.settings),
            **best_summary(experiment.settings, experiment.best_epoch, metrics),
        }

    def delete_experiment(self, experiment_id: str) -> None:
        with self._session() as s:
            row = s.get(ExperimentRow, experiment_id)
            if row is None:
                raise NotFound(f"no experiment {experiment_id!r}", experiment=experiment_id)
            s.delete(row)

    def end_epoch(self, metrics: EpochMetrics, best_epoch: int | None) -> Experiment:
        with self._session() as s:
            self._replace_epochs(s, [metrics])
            # `best_epoch` among the changes: the summary is read again, this epoch included.
            changes = {"epochs_done": metrics.epoch, "best_epoch": best_epoch}
            return self._update_experiment(s, metrics.experiment_id, changes)

    def log_epochs(self, metrics: list[EpochMetrics]) -> None:
        with self._session() as s:
            self._replace_epochs(s, metrics)
            # An epoch logged again may be the best one: its summary follows the new metrics.
            for experiment_id in {item.experiment_id for item in metrics}:
                row = s.get(ExperimentRow, experiment_id)
                logged = {item.epoch for item in metrics if item.experiment_id == experiment_id}
                if row is not None and row.best_epoch in logged:
                    s.flush()
                    for key, value in self._summary(s, _entity(Experiment, row)).items():
                        setattr(row, key, value)

    @staticmethod
    def _replace_epochs(s: Session, metrics: list[EpochMetrics]) -> None:
        for item in metrics:
            s.execute(
                delete(EpochMetricsRow).where(
                    EpochMetricsRow.experiment_id == item.experiment_id,
                    EpochMetricsRow.epoch == item.epoch,
                )
            )
            s.add(EpochMetricsRow(**item.model_dump()))

    def list_epochs(self, experiment_id: str) -> list[EpochMetrics]:
        with self._session() as s:
            rows = s.scalars(
                select(EpochMetricsRow)
                .where(EpochMetricsRow.experiment_id == experiment_id)
                .order_by(EpochMetricsRow.epoch)
            )
            return [_entity(EpochMetrics, r) for r in rows]

    # Users, tokens and browser sessions
    def create_user(self, user: User) -> User:
        check_name(user.name, "user")
        with self._session() as s:
            if s.scalar(select(UserRow.id).where(UserRow.name == user.name)):
                raise AlreadyExists(f"a user named {user.name!r} already exists", user=user.name)
            s.add(UserRow(**user.model_dump()))
        return user

    def get_user(self, id_or_name: str) -> User:
        with self._session() as s:
            row = _by_ref(
                s,
                select(UserRow).where(or_(UserRow.id == id_or_name, UserRow.name == id_or_name)),
                id_or_name,
                "user",
            )
            if row is None:
                raise NotFound(f"no user {id_or_name!r}", user=id_or_name)
            return _entity(User, row)

    def list_users(self) -> list[User]:
        with self._session() as s:
            return [_entity(User, r) for r in s.scalars(select(UserRow).order_by(UserRow.name))]

    def update_user(self, user_id: str, **changes: Any) -> User:
        _check_changes("user", changes, {"password_hash", "is_admin", "disabled"})
        with self._session() as s:
            row = s.get(UserRow, user_id)
            if row is None:
                raise NotFound(f"no user {user_id!r}", user=user_id)
            updated = User.model_validate({**_entity(User, row).model_dump(), **changes})
            for key in changes:
                setattr(row, key, getattr(updated, key))
            return updated

    def create_token(self, token: ApiToken) -> ApiToken:
        with self._session() as s:
            _require(s, UserRow, token.user_id, "user")
            s.add(ApiTokenRow(**token.model_dump()))
        return token

    def find_token(self, token_hash: str) -> tuple[ApiToken, User] | None:
        with self._session(lookup=True) as s:
            found = s.execute(_TOKEN_WITH_USER, {"token_hash": token_hash}).first()
            if found is None:
                return None
            token, user = _TOKEN.load(found[: len(_TOKEN)]), _USER.load(found[len(_TOKEN) :])
            now = utcnow()
            # A write per request would serialise every API call on SQLite; a minute is precise enough.
            if token.last_used_at is None or token.last_used_at < now - TOKEN_STAMP_INTERVAL:
                s.execute(update(ApiTokenRow).where(ApiTokenRow.id == token.id).values(last_used_at=now))
                token = token.model_copy(update={"last_used_at": now})
            return token, user

    def list_tokens(self, user_id: str) -> list[ApiToken]:
        with self._session() as s:
            rows = s.scalars(
                select(ApiTokenRow)
                .where(ApiTokenRow.user_id == user_id)
                .order_by(ApiTokenRow.created_at.desc(), ApiTokenRow.id.desc())
            )
            return [_entity(ApiToken, r) for r in rows]

    def revoke_token(self, user_id: str, token_id: str) -> ApiToken:
        with self._session() as s:
            row = s.scalar(
                select(ApiTokenRow).where(ApiTokenRow.id == token_id, ApiTokenRow.user_id == user_id)
            )
            if row is None:
                raise NotFound(f"no token {token_id!r}", token=token_id)
            if row.revoked_at is None:
                row.revoked_at = utcnow()
            return _entity(ApiToken, row)

    def create_session(self, session: BrowserSession) -> BrowserSession:
        with self._session() as s:
            _require(s, UserRow, session.user_id, "user")
            s.add(BrowserSessionRow(**session.model_dump()))
        return session

    def get_session(self, session_id: str) -> tuple[BrowserSession, User] | None:
        with self._session(lookup=True) as s:
            found = s.execute(_SESSION_WITH_USER, {"session_id": session_id}).first()
            if found is None:
                return None
            session = _SESSION.load(found[: len(_SESSION)])
            if session.expires_at <= utcnow():
                return None
            return session, _USER.load(found[len(_SESSION) :])

    def record_login_failure(self, keys: Sequence[str], at: float, forget_before: float) -> None:
        with self._session() as s:
            s.execute(delete(LoginFailureRow).where(LoginFailureRow.at < forget_before))
            s.add_all(LoginFailureRow(key=key, at=at) for key in keys)

    def recent_login_failures(self, keys: Sequence[str], since: float) -> dict[str, list[float]]:
        with self._session() as s:
            rows = s.execute(
                select(LoginFailureRow.key, LoginFailureRow.at)
                .where(LoginFailureRow.key.in_(keys), LoginFailureRow.at > since)
                .order_by(LoginFailureRow.at)
            )
            found: dict[str, list[float]] = {}
            for key, at in rows:
                found.setdefault(key, []).append(at)
            return found

    def forget_login_failures(self, key: str) -> None:
        with self._session() as s:
            s.execute(delete(LoginFailureRow).where(LoginFailureRow.key == key))

    def delete_session(self, session_id: str) -> None:
        with self._session() as s:
            s.execute(delete(BrowserSessionRow).where(BrowserSessionRow.id == session_id))

    def end_user_access(
        self, user_id: str, *, keep_session_id: str | None = None, keep_token_hash: str | None = None
    ) -> None:
        with self._session() as s:
            s.execute(
                delete(BrowserSessionRow).where(
                    BrowserSessionRow.user_id == user_id, BrowserSessionRow.id != (keep_session_id or "")
                )
            )
            s.execute(
                update(ApiTokenRow)
                .where(
                    ApiTokenRow.user_id == user_id,
                    ApiTokenRow.revoked_at.is_(None),
                    ApiTokenRow.token_hash != (keep_token_hash or ""),
                )
                .values(revoked_at=utcnow())
            )

    # Project members
    def set_member(self, member: Member) -> Member:
        with self._session() as s:
            _require(s, ProjectRow, member.project_id, "project")
            _require(s, UserRow, member.user_id, "user")
            values = member.model_dump()
            keys = ["project_id", "user_id"]
            # One atomic upsert, so two concurrent changes of a role cannot collide.
            if self.engine.dialect.name == "postgresql":
                pg_insert = postgresql.insert(MemberRow).values(**values)
                s.execute(
                    pg_insert.on_conflict_do_update(index_elements=keys, set_={"role": member.role})
                )
            elif self.engine.dialect.name == "sqlite":
                lite_insert = sqlite.insert(MemberRow).values(**values)
                s.execute(
                    lite_insert.on_conflict_do_update(index_elements=keys, set_={"role": member.role})
                )
            else:
                row = s.get(MemberRow, (member.project_id, member.user_id))
                if row is None:
                    s.add(MemberRow(**values))
                else:
                    row.role = member.role
        return member

    def remove_member(self, project_id: str, user_id: str) -> None:
        with self._session() as s:
            row = s.get(MemberRow, (project_id, user_id))
            if row is None:
                raise NotFound(f"user {user_id!r} is not a member of this project", user=user_id)
            s.delete(row)

    def list_members(self, project_id: str) -> list[Member]:
        with self._session() as s:
            rows = s.scalars(
                select(MemberRow)
                .join(UserRow, UserRow.id == MemberRow.user_id)
                .where(MemberRow.project_id == project_id)
                .order_by(UserRow.name)
            )
            return [_entity(Member, r) for r in rows]

    def get_role(self, project_id: str, user_id: str) -> str | None:
        with self._session() as s:
            return s.scalar(
                select(MemberRow.role).where(
                    MemberRow.project_id == project_id, MemberRow.user_id == user_id
                )
            )

    def list_user_projects(self, user_id: str) -> list[tuple[Project, str]]:
        with self._session() as s:
            rows = s.execute(
                select(ProjectRow, MemberRow.role)
                .join(MemberRow, MemberRow.project_id == ProjectRow.id)
                .where(MemberRow.user_id == user_id)
                .order_by(ProjectRow.created_at, ProjectRow.name)
            )
            return [(_entity(Project, project), role) for project, role in rows]

    # Jobs
    def enqueue_job(self, job: Job) -> Job:
        if job.status != "queued":
            raise StoreError(f"a new job must be queued, not {job.status!r}", job=job.id)
        with self._session() as s:
            _require(s, ProjectRow, job.project_id, "project")
            if job.experiment_id is not None:
                _require(s, ExperimentRow, job.experiment_id, "experiment")
            s.add(JobRow(**job.model_dump()))
        return job

    @staticmethod
    def _job_row(s: Session, job_id: str) -> JobRow:
        # populate_existing: the guarded UPDATEs below bypass the session's identity map.
        row = s.scalar(
            select(JobRow).where(JobRow.id == job_id).execution_options(populate_existing=True)
        )
        if row is None:
            raise NotFound(f"no job {job_id!r}", job=job_id)
        return row

    def get_job(self, job_id: str) -> Job:
        with self._session() as s:
            return _entity(Job, self._job_row(s, job_id))

    def list_jobs(
        self,
        project_id: str | None = None,
        *,
        statuses: tuple[str, ...] = (),
        experiment_id: str | None = None,
    ) -> list[Job]:
        query = select(JobRow)
        if project_id is not None:
            query = query.where(JobRow.project_id == project_id)
        if statuses:
            query = query.where(JobRow.status.in_(statuses))
        if experiment_id is not None:
            query = query.where(JobRow.experiment_id == experiment_id)
        with self._session() as s:
            rows = s.scalars(query.order_by(JobRow.created_at.desc(), JobRow.id.desc()))
            return [_entity(Job, r) for r in rows]

    def page_jobs(
        self,
        project_id: str,
        request: PageRequest,
        *,
        statuses: tuple[str, ...] = (),
        experiment_id: str | None = None,
    ) -> PageOf[Job]:
        query = select(JobRow).where(JobRow.project_id == project_id)
        if statuses:
            query = query.where(JobRow.status.in_(statuses))
        if experiment_id is not None:
            query = query.where(JobRow.experiment_id == experiment_id)
        with self._session(lookup=True) as s:
            found = fetch_page(
                s, query, request, sorts=_JOB_SORTS, default="-created", tiebreak=JobRow.id
            )
            return found.map(lambda row: _entity(Job, row))

    def claim_job(self, worker_id: str, lease_seconds: float) -> Job | None:
        # PostgreSQL locks the oldest queued row and skips rows other workers hold, so the guarded
        # UPDATE always wins there. SQLite ignores FOR UPDATE but runs one writer at a time: the
        # UPDATE is a compare-and-set on `status`, and a worker that lost the race picks again.
        with self._session() as s:
            for _ in range(_CLAIM_ATTEMPTS):
                candidate = s.execute(
                    select(JobRow.id, JobRow.started_at)
                    .where(JobRow.status == "queued")
                    .order_by(JobRow.created_at, JobRow.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if candidate is None:
                    return None
                job_id, started_at = candidate
                now = utcnow()
                claimed = _changed_rows(
                    s,
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "queued")
                    .values(
                        status="running",
                        worker_id=worker_id,
                        attempts=JobRow.attempts + 1,
                        started_at=started_at or now,
                        heartbeat_at=now,
                        lease_expires_at=now + timedelta(seconds=lease_seconds),
                    ),
                )
                if claimed:
                    return _entity(Job, self._job_row(s, job_id))
        return None

    def heartbeat_job(
        self, job_id: str, worker_id: str, lease_seconds: float, log: str | None = None
    ) -> Job:
        with self._session() as s:
            now = utcnow()
            values: dict[str, Any] = {
                "heartbeat_at": now,
                "lease_expires_at": now + timedelta(seconds=lease_seconds),
            }
            if log is not None:
                values["log"] = log
            renewed = _changed_rows(
                s,
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "running", JobRow.worker_id == worker_id)
                .values(**values),
            )
            job = _entity(Job, self._job_row(s, job_id))
            if not renewed:
                raise _not_owned(job, worker_id)
            return job

    def finish_job(
        self, job_id: str, worker_id: str | None, status: str, error: str = "", log: str = ""
    ) -> Job:
        if status not in JOB_FINISHED:
            raise StoreError(
                f"a job cannot finish as {status!r}; use one of {', '.join(JOB_FINISHED)}",
                job=job_id,
            )
        values: dict[str, Any] = {"status": status, "finished_at": utcnow(), "lease_expires_at": None}
        if error:
            values["error"] = error
        if log:
            values["log"] = log
        guard: list[ColumnElement[bool]] = [JobRow.id == job_id]
        if worker_id is None:
            guard.append(JobRow.status.in_(("queued", "running")))
        else:
            guard += [JobRow.status == "running", JobRow.worker_id == worker_id]
        with self._session() as s:
            finished = _changed_rows(s, update(JobRow).where(*guard).values(**values))
            job = _entity(Job, self._job_row(s, job_id))
            if not finished and worker_id is not None:
                raise _not_owned(job, worker_id)
            # Finished by anyone (worker_id None) but already finished: left as it ended.
            return job

    def request_cancel(self, job_id: str) -> Job:
        with self._session() as s:
            now = utcnow()
            cancelled = _changed_rows(
                s,
                update(JobRow)
                .where(JobRow.id == job_id, JobRow.status == "queued")
                .values(status="cancelled", cancel_requested=True, finished_at=now),
            )
            if not cancelled:
                # Claimed meanwhile, or running all along: its worker sees the flag at a heartbeat.
                _changed_rows(
                    s,
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "running")
                    .values(cancel_requested=True),
                )
            return _entity(Job, self._job_row(s, job_id))

    def expire_jobs(self) -> list[Job]:
        with self._session() as s:
            now = utcnow()
            lapsed = JobRow.lease_expires_at < now
            candidates = s.execute(
                select(JobRow.id, JobRow.worker_id, JobRow.heartbeat_at)
                .where(JobRow.status == "running", lapsed)
                .order_by(JobRow.id)  # one lock order for servers expiring at the same time
            ).all()
            expired = []
            for job_id, worker, heartbeat_at in candidates:
                silent = (now - _aware(heartbeat_at)).total_seconds() if heartbeat_at else 0.0
                error = f"worker lost: no heartbeat for {silent:.1f} s from worker {worker!r}"
                # Compare-and-set: a heartbeat that renewed the lease, or another server that
                # expired the job first, makes this UPDATE change nothing.
                if _changed_rows(
                    s,
                    update(JobRow)
                    .where(JobRow.id == job_id, JobRow.status == "running", lapsed)
                    .values(status="failed", error=error, finished_at=now, lease_expires_at=None),
                ):
                    expired.append(_entity(Job, self._job_row(s, job_id)))
            return expired

    # Events
    def append_events(self, events: list[Event]) -> list[Event]:
        if not events:
            return []
        with self._session() as s:
            for project_id in sorted({e.project_id for e in events}):
                _require(s, ProjectRow, project_id, "project")
            if self.engine.dialect.name == "postgresql":
                # Sequence values are taken at INSERT but seen at COMMIT: one appender at a time
                # keeps a reader from seeing id n+1 before n and resuming past n. SQLite writers
                # are serialised already.
                s.execute(select(func.pg_advisory_xact_lock(_EVENTS_LOCK)))
            rows = [EventRow(**e.model_dump(exclude={"id"})) for e in events]
            s.add_all(rows)
            s.flush()
            return [e.model_copy(update={"id": row.id}) for e, row in zip(events, rows, strict=True)]

    def list_events(
        self, project_id: str, *, after: int = 0, experiment_id: str | None = None, limit: int = 500
    ) -> list[Event]:
        query = select(EventRow).where(EventRow.project_id == project_id, EventRow.id > after)
        if experiment_id is not None:
            query = query.where(EventRow.experiment_id == experiment_id)
        with self._session() as s:
            rows = s.scalars(query.order_by(EventRow.id).limit(limit))
            return [_entity(Event, r) for r in rows]

    # Dataset drafts
    def create_draft(self, draft: Draft) -> Draft:
        with self._session() as s:
            _require(s, ProjectRow, draft.project_id, "project")
            if draft.dataset_id is not None:
                dataset = s.get(DatasetRow, draft.dataset_id)
                if dataset is None or dataset.project_id != draft.project_id:
                    raise NotFound(
                        f"no dataset {draft.dataset_id!r} in this project", dataset=draft.dataset_id
                    )
            s.add(DraftRow(**draft.model_dump()))
        return draft

    def get_draft(self, project_id: str, draft_id: str) -> Draft:
        with self._session() as s:
            row = s.scalar(
                select(DraftRow).where(DraftRow.project_id == project_id, DraftRow.id == draft_id)
            )
            if row is None:
                raise NotFound(f"no draft {draft_id!r} in this project", draft=draft_id)
            return _entity(Draft, row)

    def list_drafts(self, project_id: str) -> list[Draft]:
        with self._session() as s:
            rows = s.scalars(
                select(DraftRow)
                .where(DraftRow.project_id == project_id)
                .order_by(DraftRow.created_at, DraftRow.id)
            )
            return [_entity(Draft, r) for r in rows]

    def update_draft(self, draft_id: str, **changes: Any) -> Draft:
        _check_changes("draft", changes, {"name", "description", "files", "spec"})
        with self._session() as s:
            row = s.get(DraftRow, draft_id)
            if row is None:
                raise NotFound(f"no draft {draft_id!r}", draft=draft_id)
            updated = Draft.model_validate(
                {**_entity(Draft, row).model_dump(), **changes, "updated_at": utcnow()}
            )
            for key in (*changes, "updated_at"):
                setattr(row, key, getattr(updated, key))
            return updated

    def delete_draft(self, draft_id: str) -> None:
        with self._session() as s:
            row = s.get(DraftRow, draft_id)
            if row is None:
                raise NotFound(f"no draft {draft_id!r}", draft=draft_id)
            s.delete(row)

    # Deployments
    def create_deployment(self, deployment: Deployment) -> Deployment:
        with self._session() as s:
            _require(s, ProjectRow, deployment.project_id, "project")
            taken = s.scalar(
                select(DeploymentRow.id).where(
                    DeploymentRow.project_id == deployment.project_id,
                    DeploymentRow.name == deployment.name,
                )
            )
            if taken:
                raise AlreadyExists(
                    f"the project already has a deployment named {deployment.name!r}",
                    deployment=deployment.name,
                )
            s.add(DeploymentRow(**deployment.model_dump()))
        return deployment

    def get_deployment(self, deployment_id: str) -> Deployment:
        with self._session() as s:
            row = s.get(DeploymentRow, deployment_id)
            if row is None:
                raise NotFound(f"no deployment {deployment_id!r}", deployment=deployment_id)
            return _entity(Deployment, row)

    def list_deployments(self, project_id: str) -> list[Deployment]:
        with self._session() as s:
            rows = s.scalars(
                select(DeploymentRow)
                .where(DeploymentRow.project_id == project_id)
                .order_by(DeploymentRow.created_at, DeploymentRow.id)
            )
            return [_entity(Deployment, r) for r in rows]

    def page_deployments(
        self, project_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[Deployment]:
        query = select(DeploymentRow).where(DeploymentRow.project_id == project_id)
        if q:
            query = query.where(contains(DeploymentRow.name, q))
        with self._session(lookup=True) as s:
            found = fetch_page(
                s,
                query,
                request,
                sorts=_DEPLOYMENT_SORTS,
                default="created",
                tiebreak=DeploymentRow.id,
            )
            return found.map(lambda row: _entity(Deployment, row))

    def update_deployment(self, deployment_id: str, **changes: Any) -> Deployment:
        _check_changes("deployment", changes, {"name", "enabled", "token_hash", "token_prefix"})
        with self._session() as s:
            row = s.get(DeploymentRow, deployment_id)
            if row is None:
                raise NotFound(f"no deployment {deployment_id!r}", deployment=deployment_id)
            updated = Deployment.model_validate(
                {**_entity(Deployment, row).model_dump(), **changes, "updated_at": utcnow()}
            )
            for key in (*changes, "updated_at"):
                setattr(row, key, getattr(updated, key))
            return updated

    def delete_deployment(self, deployment_id: str) -> None:
        with self._session() as s:
            row = s.get(DeploymentRow, deployment_id)
            if row is None:
                raise NotFound(f"no deployment {deployment_id!r}", deployment=deployment_id)
            usage = DeploymentUsageRow.deployment_id == deployment_id
            s.execute(delete(DeploymentUsageRow).where(usage))
            s.delete(row)

    def add_deployment_usage(self, usage: list[DeploymentUsage]) -> None:
        # Every API process flushes counts of its own: each is added in the database (not read,
        # added to and written back), and a minute another process inserted first is added to.
        for item in usage:
            try:
                self._add_usage(item)
            except AlreadyExists:
                self._add_usage(item)

    def _add_usage(self, item: DeploymentUsage) -> None:
        row = DeploymentUsageRow
        with self._session() as s:
            added = _changed_rows(
                s,
                update(row)
                .where(row.deployment_id == item.deployment_id, row.minute == item.minute)
                .values(
                    requests=row.requests + item.requests,
                    errors=row.errors + item.errors,
                    rows=row.rows + item.rows,
                    latency_ms_sum=row.latency_ms_sum + item.latency_ms_sum,
                    latency_ms_max=case(
                        (row.latency_ms_max < item.latency_ms_max, item.latency_ms_max),
                        else_=row.latency_ms_max,
                    ),
                ),
            )
            if added == 0 and s.get(DeploymentRow, item.deployment_id) is not None:
                s.add(row(**item.model_dump()))  # (a deployment deleted meanwhile counts nothing)

    def list_deployment_usage(self, deployment_id: str, *, since: datetime) -> list[DeploymentUsage]:
        with self._session() as s:
            rows = s.scalars(
                select(DeploymentUsageRow)
                .where(
                    DeploymentUsageRow.deployment_id == deployment_id,
                    DeploymentUsageRow.minute >= since,
                )
                .order_by(DeploymentUsageRow.minute)
            )
            return [_entity(DeploymentUsage, r) for r in rows]

    # Designs
    def create_design(self, design: Design) -> Design:
        check_name(design.name, "design")
        with self._session() as s:
            _require(s, ProjectRow, design.project_id, "project")
            taken = s.scalar(
                select(DesignRow.id).where(
                    DesignRow.project_id == design.project_id, DesignRow.name == design.name
                )
            )
            if taken:
                raise AlreadyExists(
                    f"the project already has a design named {design.name!r}", design=design.name
                )
            s.add(DesignRow(**design.model_dump()))
        return design

    def get_design(self, project_id: str, id_or_name: str) -> Design:
        with self._session() as s:
            query = select(DesignRow).where(
                DesignRow.project_id == project_id,
                or_(DesignRow.id == id_or_name, DesignRow.name == id_or_name),
            )
            row = _by_ref(s, query, id_or_name, "design")
            if row is None:
                raise NotFound(f"no design {id_or_name!r} in this project", design=id_or_name)
            return _entity(Design, row)

    def list_designs(self, project_id: str) -> list[Design]:
        with self._session() as s:
            rows = s.scalars(
                select(DesignRow)
                .where(DesignRow.project_id == project_id)
                .order_by(DesignRow.created_at, DesignRow.id)
            )
            return [_entity(Design, r) for r in rows]

    def page_designs(
        self, project_id: str, request: PageRequest, q: str | None = None
    ) -> PageOf[tuple[Design, Job | None]]:
        query = (
            select(DesignRow, JobRow)
            .outerjoin(JobRow, JobRow.id == DesignRow.job_id)
            .where(DesignRow.project_id == project_id)
        )
        if q:
            query = query.where(contains(DesignRow.name, q))
        with self._session(lookup=True) as s:
            found = fetch_page(
                s, query, request, sorts=_DESIGN_SORTS, default="created", tiebreak=DesignRow.id
            )
            return found.map(
                lambda row: (_entity(Design, row[0]), None if row[1] is None else _entity(Job, row[1]))
            )

    def update_design(self, design_id: str, **changes: Any) -> Design:
        _check_changes("design", changes, {"name", "job_id", "summary"})
        with self._session() as s:
            row = s.get(DesignRow, design_id)
            if row is None:
                raise NotFound(f"no design {design_id!r}", design=design_id)
            updated = Design.model_validate(
                {**_entity(Design, row).model_dump(), **changes, "updated_at": utcnow()}
            )
            for key in (*changes, "updated_at"):
                setattr(row, key, getattr(updated, key))
            return updated

    def delete_design(self, design_id: str) -> None:
        with self._session() as s:
            row = s.get(DesignRow, design_id)
            if row is None:
                raise NotFound(f"no design {design_id!r}", design=design_id)
            s.delete(row)

    # Sweeps
    def create_sweep(self, sweep: Sweep) -> Sweep:
        check_name(sweep.name, "sweep")
        with self._session() as s:
            _require(s, ProjectRow, sweep.project_id, "project")
            _require(s, DatasetVersionRow, sweep.dataset_version_id, "version")
            taken = s.scalar(
                select(SweepRow.id).where(
                    SweepRow.project_id == sweep.project_id, SweepRow.name == sweep.name
                )
            )
            if taken:
                raise AlreadyExists(
                    f"the project already has a sweep named {sweep.name!r}", sweep=sweep.name
                )
            s.add(SweepRow(**sweep.model_dump()))
        return sweep

    def get_sweep(self, project_id: str, id_or_name: str) -> Sweep:
        with self._session() as s:
            row = _by_ref(
                s,
                select(SweepRow).where(
                    SweepRow.project_id == project_id,
                    or_(SweepRow.id == id_or_name, SweepRow.name == id_or_name),
                ),
                id_or_name,
                "sweep",
            )
            if row is None:
                raise NotFound(f"no sweep {id_or_name!r} in this project", sweep=id_or_name)
            return _entity(Sweep, row)

    def list_sweeps(self, project_id: str) -> list[Sweep]:
        with self._session() as s:
            rows = s.scalars(
                select(SweepRow)
                .where(SweepRow.project_id == project_id)
                .order_by(SweepRow.created_at, SweepRow.id)
            )
            return [_entity(Sweep, r) for r in rows]

    def page_sweeps(self, project_id: str, request: PageRequest, q: str | None = None) -> PageOf[Sweep]:
        query = select(SweepRow).where(SweepRow.project_id == project_id)
        if q:
            query = query.where(contains(SweepRow.name, q))
        with self._session(lookup=True) as s:
            found = fetch_page(
                s, query, request, sorts=_SWEEP_SORTS, default="created", tiebreak=SweepRow.id
            )
            return found.map(lambda row: _entity(Sweep, row))

    def tally_sweep_trials(self, sweep_ids: list[str]) -> dict[str, TrialTally]:
        if not sweep_ids:
            return {}
        trial = SweepTrialRow
        query = (
            select(trial.sweep_id, trial.state, func.count())
            .add_columns(func.max(trial.value), func.min(trial.value))
            .where(trial.sweep_id.in_(sweep_ids))
            .group_by(trial.sweep_id, trial.state)
        )
        tallies: dict[str, TrialTally] = {}
        with self._session() as s:
            for sweep_id, state, count, high, low in s.execute(query):
                tally = tallies.setdefault(sweep_id, TrialTally({}, None, None))
                tally.states[state] = count
                if state == TrialState.COMPLETE:
                    tallies[sweep_id] = TrialTally(tally.states, high, low)
        return tallies

    def update_sweep(self, sweep_id: str, **changes: Any) -> Sweep:
        _check_changes("sweep", changes, {"status", "message", "finished_at"})
        with self._session() as s:
            row = s.get(SweepRow, sweep_id)
            if row is None:
                raise NotFound(f"no sweep {sweep_id!r}", sweep=sweep_id)
            updated = Sweep.model_validate(
                {**_entity(Sweep, row).model_dump(), **changes, "updated_at": utcnow()}
            )
            for key in (*changes, "updated_at"):
                setattr(row, key, getattr(updated, key))
            return updated

    def take_trial_slot(self, sweep_id: str, budget: int) -> bool:
        with self._session() as s:
            return bool(
                _changed_rows(
                    s,
                    update(SweepRow)
                    .where(
                        SweepRow.id == sweep_id,
                        SweepRow.status == "running",
                        SweepRow.trials_started < budget,
                    )
                    .values(trials_started=SweepRow.trials_started + 1, updated_at=utcnow()),
                )
            )

    def add_skipped(self, sweep_id: str, count: int) -> None:
        with self._session() as s:
            s.execute(
                update(SweepRow)
                .where(SweepRow.id == sweep_id)
                .values(skipped=SweepRow.skipped + count)
                .execution_options(synchronize_session=False)
            )

    def delete_sweep(self, sweep_id: str) -> None:
        with self._session() as s:
            row = s.get(SweepRow, sweep_id)
            if row is None:
                raise NotFound(f"no sweep {sweep_id!r}", sweep=sweep_id)
            s.execute(delete(SweepTrialRow).where(SweepTrialRow.sweep_id == sweep_id))
            s.delete(row)

    def add_sweep_trial(self, trial: SweepTrial) -> SweepTrial:
        with self._session() as s:
            _require(s, SweepRow, trial.sweep_id, "sweep")
            s.add(SweepTrialRow(**trial.model_dump()))
        return trial

    def update_sweep_trial(self, sweep_id: str, number: int, **changes: Any) -> SweepTrial:
        _check_changes("trial", changes, {"state", "value", "pruned_epoch", "message", "experiment_id"})
        with self._session() as s:
            row = s.get(SweepTrialRow, (sweep_id, number))
            if row is None:
                raise NotFound(f"sweep {sweep_id!r} has no trial {number}", trial=number)
            updated = SweepTrial.model_validate(
                {**_entity(SweepTrial, row).model_dump(), **changes, "updated_at": utcnow()}
            )
            for key in (*changes, "updated_at"):
                setattr(row, key, getattr(updated, key))
            return updated

    def list_sweep_trials(self, sweep_id: str) -> list[SweepTrial]:
        with self._session() as s:
            rows = s.scalars(
                select(SweepTrialRow)
                .where(SweepTrialRow.sweep_id == sweep_id)
                .order_by(SweepTrialRow.number)
            )
            return [_entity(SweepTrial, r) for r in rows]

    def find_sweep_trial(self, experiment_id: str) -> SweepTrial | None:
        with self._session() as s:
            row = s.scalar(
                select(SweepTrialRow).where(SweepTrialRow.experiment_id == experiment_id).limit(1)
            )
            return None if row is None else _entity(SweepTrial, row)


__all__ = ["Base", "SqlAlchemyMetadataStore", "head_revision", "make_engine", "upgrade_database"]
