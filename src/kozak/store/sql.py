"""The SQLAlchemy metadata store: SQLite by default (WAL, foreign keys on), PostgreSQL by URL.

The schema is owned by the Alembic migrations shipped in `kozak/store/migrations`. A fresh
database is migrated on first open; an outdated one is refused with the command that upgrades it.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, delete, event, inspect, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from kozak.errors import AlreadyExists, KozakError, NotFound, StoreError
from kozak.store.entities import (
    Dataset,
    DatasetVersion,
    Entity,
    EpochMetrics,
    Experiment,
    Project,
    utcnow,
)
from kozak.store.metadata import MetadataStore
from kozak.store.tables import (
    Base,
    DatasetRow,
    DatasetVersionRow,
    EpochMetricsRow,
    ExperimentRow,
    ProjectRow,
)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
E = TypeVar("E", bound=Entity)


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


def _entity(cls: type[E], row: Base) -> E:
    values = {c.key: getattr(row, c.key) for c in inspect(row).mapper.column_attrs}
    for key, value in values.items():
        if isinstance(value, datetime):
            values[key] = _aware(value)
    return cls.model_validate(values)


class SqlAlchemyMetadataStore(MetadataStore):
    """`MetadataStore` on any SQLAlchemy URL."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
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
    def _session(self) -> Iterator[Session]:
        """Commit on success; domain errors pass through, database errors become StoreError."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except KozakError:
            session.rollback()
            raise
        except IntegrityError as exc:
            session.rollback()
            raise AlreadyExists(f"already exists: {exc.orig}") from exc
        except SQLAlchemyError as exc:
            session.rollback()
            raise StoreError(f"metadata store error: {exc}") from exc
        finally:
            session.close()

    # Projects
    def create_project(self, project: Project) -> Project:
        with self._session() as s:
            if s.scalar(select(ProjectRow.id).where(ProjectRow.name == project.name)):
                raise AlreadyExists(f"a project named {project.name!r} already exists")
            s.add(ProjectRow(**project.model_dump()))
        return project

    def get_project(self, id_or_name: str) -> Project:
        with self._session() as s:
            row = s.scalar(
                select(ProjectRow).where(or_(ProjectRow.id == id_or_name, ProjectRow.name == id_or_name))
            )
            if row is None:
                raise NotFound(f"no project {id_or_name!r}", project=id_or_name)
            return _entity(Project, row)

    def list_projects(self) -> list[Project]:
        with self._session() as s:
            rows = s.scalars(select(ProjectRow).order_by(ProjectRow.created_at, ProjectRow.name))
            return [_entity(Project, r) for r in rows]

    def delete_project(self, project_id: str) -> None:
        with self._session() as s:
            row = s.get(ProjectRow, project_id)
            if row is None:
                raise NotFound(f"no project {project_id!r}", project=project_id)
            s.delete(row)

    # Datasets
    def create_dataset(self, dataset: Dataset) -> Dataset:
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
            row = s.scalar(
                select(DatasetRow).where(
                    DatasetRow.project_id == project_id,
                    or_(DatasetRow.id == id_or_name, DatasetRow.name == id_or_name),
                )
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

    def delete_dataset(self, dataset_id: str) -> None:
        with self._session() as s:
            row = s.get(DatasetRow, dataset_id)
            if row is None:
                raise NotFound(f"no dataset {dataset_id!r}", dataset=dataset_id)
            s.delete(row)

    # Dataset versions
    def create_dataset_versions(self, versions: list[DatasetVersion]) -> list[DatasetVersion]:
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
            row = s.scalar(
                select(DatasetVersionRow).where(
                    DatasetVersionRow.dataset_id == dataset_id,
                    or_(DatasetVersionRow.id == id_or_name, DatasetVersionRow.name == id_or_name),
                )
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

    # Experiments
    def create_experiment(self, experiment: Experiment) -> Experiment:
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
            s.add(ExperimentRow(**experiment.model_dump()))
        return experiment

    def get_experiment(self, project_id: str, id_or_name: str) -> Experiment:
        with self._session() as s:
            row = s.scalar(
                select(ExperimentRow).where(
                    ExperimentRow.project_id == project_id,
                    or_(ExperimentRow.id == id_or_name, ExperimentRow.name == id_or_name),
                )
            )
            if row is None:
                raise NotFound(f"no experiment {id_or_name!r} in this project", experiment=id_or_name)
            return _entity(Experiment, row)

    def list_experiments(self, project_id: str) -> list[Experiment]:
        with self._session() as s:
            rows = s.scalars(
                select(ExperimentRow)
                .where(ExperimentRow.project_id == project_id)
                .order_by(ExperimentRow.created_at, ExperimentRow.name)
            )
            return [_entity(Experiment, r) for r in rows]

    def update_experiment(self, experiment_id: str, **changes: Any) -> Experiment:
        fixed = {"id", "project_id", "created_at"}
        unknown = set(changes) - (set(Experiment.model_fields) - fixed)
        if unknown:
            raise StoreError(f"cannot change experiment fields {sorted(unknown)}")
        with self._session() as s:
            row = s.get(ExperimentRow, experiment_id)
            if row is None:
                raise NotFound(f"no experiment {experiment_id!r}", experiment=experiment_id)
            current = _entity(Experiment, row)
            updated = Experiment.model_validate(
                {**current.model_dump(), **changes, "updated_at": utcnow()}
            )
            for key, value in updated.model_dump().items():
                setattr(row, key, value)
            return updated

    def delete_experiment(self, experiment_id: str) -> None:
        with self._session() as s:
            row = s.get(ExperimentRow, experiment_id)
            if row is None:
                raise NotFound(f"no experiment {experiment_id!r}", experiment=experiment_id)
            s.delete(row)

    def log_epochs(self, metrics: list[EpochMetrics]) -> None:
        with self._session() as s:
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


__all__ = ["Base", "SqlAlchemyMetadataStore", "head_revision", "make_engine", "upgrade_database"]
