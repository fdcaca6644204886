"""The tables behind stored drafts, and the lock that guards each draft's row.

A draft file is read once per content (an in-process LRU keyed by file name and SHA-256), a
draft's files are combined column-wise, and `detected_spec` gives their default spec. The caches
are per process only; the database row stays the truth.
"""

from __future__ import annotations

import fcntl
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Generic, TypeVar

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.editor import default_spec, edit_version
from kozak.data.feature_spec import FeatureSpec, FeatureType, SequenceEncoding
from kozak.data.formats.base import read_file
from kozak.data.table import RawColumn, RawTable, combine
from kozak.sequences import EncodedSequences
from kozak.store.entities import Draft
from kozak.workspace import Workspace

TABLE_CACHE_SIZE = 4  # files; the tutorial's one-hot NPY alone is hundreds of MB in memory

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A thread-safe cache that keeps the `size` most recently used entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The entry for `key` (now the most recently used), or None."""
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        """Store an entry, dropping the least recently used ones beyond `size`."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def pop(self, key: K) -> None:
        """Drop the entry for `key`, if any."""
        with self._lock:
            self._items.pop(key, None)


_tables: Lru[tuple[str, str], RawTable] = Lru(TABLE_CACHE_SIZE)
_locks_lock = threading.Lock()
_draft_locks: dict[str, threading.RLock] = {}
_depths: dict[str, int] = {}  # how deep the thread holding a draft's lock holds it


@contextmanager
def locked(workspace: Workspace, draft_id: str) -> Iterator[None]:
    """Hold the draft's lock for the block (re-entrant within a thread).

    It serialises read-modify-write of one draft's row (concurrent uploads to one draft must all
    land) between the threads of this process, by a thread lock, and between the processes
    serving from this home (`kozak up --api-processes N`), by an exclusive `flock` on
    `locks/draft-<id>` there. Without the second, two uploads landing in two processes each wrote
    back a row read before the other's file was added, and one file was lost.
    """
    with _locks_lock:
        lock = _draft_locks.setdefault(draft_id, threading.RLock())
    with lock:
        depth = _depths.get(draft_id, 0)
        _depths[draft_id] = depth + 1
        try:
            if depth:
                yield
            else:
                with _file_lock(_lock_path(workspace, draft_id)):
                    yield
        finally:
            if depth:
                _depths[draft_id] = depth
            else:
                _depths.pop(draft_id, None)


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as held:  # closing it releases the lock
        fcntl.flock(held, fcntl.LOCK_EX)
        yield


@contextmanager
def locked_row(workspace: Workspace, draft: Draft) -> Iterator[Draft]:
    """The draft's current row, read under its lock, which is held until the block ends.

    Raises:
        NotFound: the draft no longer exists.
    """
    with locked(workspace, draft.id):
        yield workspace.metadata.get_draft(draft.project_id, draft.id)


def forget_lock(workspace: Workspace, draft_id: str) -> None:
    """Drop a deleted draft's lock, and its file.

    Whoever still waits on the file's lock gets it, and finds the draft gone. Draft ids are never
    used again, so a lock that no longer shares a file with later takers guards nothing.
    """
    with _locks_lock:
        _draft_locks.pop(draft_id, None)
    _lock_path(workspace, draft_id).unlink(missing_ok=True)


def _lock_path(workspace: Workspace, draft_id: str) -> Path:
    return workspace.settings.home / "locks" / f"draft-{draft_id}"


def cache_table(name: str, sha256: str, table: RawTable) -> None:
    """Remember the columns read from file `name` with content `sha256`."""
    _tables.put((name, sha256), table)


def entry_table(workspace: Workspace, row: Draft, entry: dict[str, Any]) -> RawTable:
    """The columns of one draft file (or of the stored version a draft edits).

    Raises:
        DataError: the file cannot be read.
    """
    table = _tables.get((entry["name"], entry["sha256"]))
    if table is not None:
        return table
    if entry.get("version_id"):
        version = workspace.metadata.get_dataset_version_by_id(entry["version_id"])
        dataset = workspace.metadata.get_dataset(row.project_id, version.dataset_id)
        table = edit_version(workspace, dataset, version, row.project_id).table
    else:
        local = workspace.artifacts.local_path(entry["path"])
        if local is not None:
            table = read_file(local, workspace.settings, name=entry["name"])
        else:
            with tempfile.TemporaryDirectory(prefix="kozak-draft-") as scratch:
                copy = workspace.artifacts.get_file(entry["path"], Path(scratch) / entry["name"])
                table = read_file(copy, workspace.settings, name=entry["name"])
    cache_table(entry["name"], entry["sha256"], table)
    return table


def files_table(
    workspace: Workspace,
    row: Draft,
    files: list[dict[str, Any]],
    fresh: dict[str, RawTable] | None = None,
) -> RawTable:
    """The columns of `files` (entries of the draft's `files`), combined in order.

    Args:
        workspace: The workspace.
        row: The draft the files belong to.
        files: At least one file entry.
        fresh: Tables already read, by file name (an upload not yet published).

    Raises:
        DataError: a file cannot be read, or the files' row counts differ.
    """
    fresh = fresh or {}
    tables = [fresh[f["name"]] if f["name"] in fresh else entry_table(workspace, row, f) for f in files]
    return tables[0] if len(tables) == 1 else combine(tables)


def _stored_sequence(column: RawColumn) -> FeatureSpec:
    assert isinstance(column.values, EncodedSequences)
    encoding = SequenceEncoding.model_validate({"alphabet": column.values.alphabet})
    return FeatureSpec(
        name=column.name, source=column.name, type=FeatureType.SEQUENCE, sequence=encoding
    )


def detected_spec(table: RawTable) -> DatasetSpec:
    """`default_spec`, also for a stored version's sequences (codes, which detection does not take)."""
    plain_columns = [c for c in table.columns if not isinstance(c.values, EncodedSequences)]
    if len(plain_columns) == len(table.columns):
        return default_spec(table)
    plain = default_spec(RawTable(plain_columns))
    by_source = {f.source: f for f in plain.features}
    features = tuple(by_source.get(c.name) or _stored_sequence(c) for c in table.columns)
    return plain.model_copy(update={"features": features})


__all__ = [
    "Lru",
    "cache_table",
    "detected_spec",
    "entry_table",
    "files_table",
    "forget_lock",
    "locked",
    "locked_row",
]
