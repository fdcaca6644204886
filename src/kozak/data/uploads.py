"""Server-side dataset drafts: uploads in the artifact store, the spec being edited in the database.

A `Draft` row lists the uploaded files (under `drafts/<draft id>/files/`) and holds the
`DatasetSpec`; every operation reads the row, applies one `DatasetDraft` edit and stores the new
spec, so any server process can serve any request: the row is the truth. An upload streams to a
temporary name and is published only once complete and readable. Tables read from files are
cached in-process by content, so editing a 500k-row draft does not re-read its files each time.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import os
import tempfile
import threading
import uuid
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
from pydantic import TypeAdapter, ValidationError

from kozak.data.detect import detect
from kozak.data.download import fetch_to_cache
from kozak.data.draft import DatasetDraft, default_spec, edit_version
from kozak.data.features import FeatureSpec, FeatureType, SequenceEncoding
from kozak.data.formats.base import format_of, read_file
from kozak.data.prepare import VersionContent
from kozak.data.spec import DatasetSpec
from kozak.data.subsets import FilterSubset, RankSubset, SubsetSpec
from kozak.data.table import RawColumn, RawTable, combine
from kozak.errors import (
    AlreadyExists,
    Conflict,
    InvalidConfig,
    KozakError,
    LimitExceeded,
    NotFound,
    invalid_config,
)
from kozak.sequences import EncodedSequences, one_hot_to_codes
from kozak.store.artifacts import TMP_PREFIX
from kozak.store.entities import Dataset, DatasetVersion, Draft, Project
from kozak.workspace import Workspace

CHUNK_BYTES = 1 << 20
TABLE_CACHE_SIZE = 4  # files; the tutorial's one-hot NPY alone is hundreds of MB in memory
OPEN_CACHE_SIZE = 4  # drafts kept open (table plus the last prepared content)
_SUBSET = TypeAdapter[Any](SubsetSpec)


# Caches and locks (per process; the database row stays the truth)
@dataclass
class _Opened:
    """A draft's combined table as a `DatasetDraft`, with what was learnt about it."""

    key: tuple[tuple[str, str], ...]  # (file name, sha256) of every file, in order
    draft: DatasetDraft
    default: DatasetSpec  # detected types and the default split
    failure: tuple[DatasetSpec, KozakError] | None = field(default=None)


_cache_lock = threading.Lock()
_tables: OrderedDict[tuple[str, str], RawTable] = OrderedDict()
_opened: OrderedDict[str, _Opened] = OrderedDict()
_draft_locks: dict[str, threading.RLock] = {}


def _cached(cache: OrderedDict[Any, Any], key: Any) -> Any:
    with _cache_lock:
        value = cache.get(key)
        if value is not None:
            cache.move_to_end(key)
        return value


def _remember(cache: OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    with _cache_lock:
        cache[key] = value
        cache.move_to_end(key)
        while len(cache) > size:
            cache.popitem(last=False)


def _forget(draft_id: str) -> None:
    with _cache_lock:
        _opened.pop(draft_id, None)
        _draft_locks.pop(draft_id, None)


@contextmanager
def _locked(draft_id: str) -> Iterator[None]:
    # Serialises read-modify-write of one draft's row within this process (concurrent uploads
    # to one draft must all land); separate processes rely on the row being re-read each time.
    with _cache_lock:
        lock = _draft_locks.setdefault(draft_id, threading.RLock())
    with lock:
        yield


# Drafts
def _files_prefix(draft_id: str) -> str:
    return f"drafts/{draft_id}/files"


def _refuse_taken_name(workspace: Workspace, project_id: str, name: str) -> None:
    if any(d.name == name for d in workspace.metadata.list_datasets(project_id)):
        raise AlreadyExists(
            f"the project already has a dataset named {name!r}; to add a version to it, start a "
            "draft from one of its versions",
            dataset=name,
            field="name",
        )


def _clean_name(name: str) -> str:
    if not name.strip():
        raise InvalidConfig("a dataset draft needs a name", field="name")
    return name.strip()


def create_draft(
    workspace: Workspace, project: Project, name: str, *, description: str = "", created_by: str = ""
) -> Draft:
    """An empty draft of a new dataset called `name`.

    Raises:
        InvalidConfig: the name is empty.
        AlreadyExists: the project already has a dataset of that name.
    """
    name = _clean_name(name)
    _refuse_taken_name(workspace, project.id, name)
    return workspace.metadata.create_draft(
        Draft(project_id=project.id, name=name, description=description, created_by=created_by)
    )


def draft_from_version(
    workspace: Workspace, project: Project, dataset_ref: str, version_ref: str, *, created_by: str = ""
) -> Draft:
    """A draft holding a stored version's data and spec; saving it adds a version to that dataset.

    Args:
        workspace: The workspace.
        project: The project the dataset belongs to.
        dataset_ref: Dataset id or name.
        version_ref: Version id or name.
        created_by: Who started the draft.

    Raises:
        NotFound: naming the dataset or version.
    """
    dataset = workspace.metadata.get_dataset(project.id, dataset_ref)
    version = workspace.metadata.get_dataset_version(dataset.id, version_ref)
    library_draft = edit_version(workspace, dataset, version, project.id)
    entry = {
        "name": f"{dataset.name}@{version.name}",
        "path": version.artifact_path,
        "size": sum(int(s.get("bytes", 0)) for s in version.sources),
        "sha256": version.digest,
        "version_id": version.id,
    }
    _remember(_tables, (entry["name"], version.digest), library_draft.table, TABLE_CACHE_SIZE)
    return workspace.metadata.create_draft(
        Draft(
            project_id=project.id,
            name=dataset.name,
            description=dataset.description,
            dataset_id=dataset.id,
            files=[entry],
            spec=library_draft.spec.model_dump(mode="json"),
            created_by=created_by,
        )
    )


def get_draft(workspace: Workspace, project: Project, draft_id: str) -> Draft:
    """A draft of `project` (a draft of another project is not found).

    Raises:
        NotFound: naming the draft.
    """
    return workspace.metadata.get_draft(project.id, draft_id)


def list_drafts(workspace: Workspace, project: Project) -> list[Draft]:
    """The project's drafts, oldest first."""
    return workspace.metadata.list_drafts(project.id)


def update_draft(
    workspace: Workspace, draft: Draft, *, name: str | None = None, description: str | None = None
) -> Draft:
    """Rename a draft (the dataset it will create) or change its description.

    Raises:
        InvalidConfig: the name is empty, or the draft edits an existing dataset.
        AlreadyExists: the name is taken by a dataset.
    """
    changes: dict[str, Any] = {}
    if name is not None and name.strip() != draft.name:
        if draft.dataset_id is not None:
            raise InvalidConfig(
                f"this draft adds a version to dataset {draft.name!r}; its name cannot change here",
                field="name",
            )
        changes["name"] = _clean_name(name)
        _refuse_taken_name(workspace, draft.project_id, changes["name"])
    if description is not None:
        changes["description"] = description
    return workspace.metadata.update_draft(draft.id, **changes) if changes else draft


def delete_draft(workspace: Workspace, draft: Draft) -> None:
    """Delete a draft and its uploaded files (the row first, so none points at missing files)."""
    with _locked(draft.id):
        workspace.metadata.delete_draft(draft.id)
        workspace.artifacts.delete(f"drafts/{draft.id}")
    _forget(draft.id)


# Files
def check_filename(name: str) -> str:
    """A plain file name, safe to store under the draft's folder.

    Raises:
        InvalidConfig: for folders, `..`, hidden names, control characters or over-long names.
    """
    bad = (
        not name
        or len(name) > 200
        or name.startswith(".")
        or any(c in name for c in "/\\:")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
        or name != name.strip()
    )
    if bad:
        raise InvalidConfig(
            f"invalid file name {name!r}: give a plain name such as data.csv (no folders, no "
            "leading dot, no control characters, at most 200 characters)",
            file=name,
            field="filename",
        )
    return name


class _Incoming:
    """One upload in progress: a temporary file with its running size and SHA-256."""

    def __init__(
        self, workspace: Workspace, draft: Draft, filename: str, expected_size: int | None
    ) -> None:
        self.workspace, self.draft = workspace, draft
        self.name = check_filename(filename)
        format_of(self.name)  # an unknown extension is refused before any byte is stored
        self.limit = workspace.settings.max_upload_bytes
        if expected_size is not None and expected_size > self.limit:
            raise self._too_large()
        self.path = f"{_files_prefix(draft.id)}/{self.name}"
        self.final = workspace.artifacts.local_path(self.path)
        # Next to the final file on a local store, so publishing is one rename.
        folder = self.final.parent if self.final is not None else workspace.settings.home / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        self.temp = folder / f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{self.name}"
        self.handle: IO[bytes] = open(self.temp, "wb")  # noqa: SIM115  (closed in finish/abort)
        self.size = 0
        self.digest = hashlib.sha256()

    def _too_large(self) -> LimitExceeded:
        return LimitExceeded(
            f"{self.name} is larger than the upload limit of {self.limit} bytes "
            "(KOZAK_MAX_UPLOAD_BYTES)",
            file=self.name,
            limit=self.limit,
        )

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise self._too_large()
        self.digest.update(chunk)
        self.handle.write(chunk)

    def abort(self) -> None:
        self.handle.close()
        self.temp.unlink(missing_ok=True)

    def finish(self) -> Draft:
        """Read the file (refusing malformed data), then publish it and record it in the row."""
        try:
            self.handle.close()
            table = read_file(self.temp, self.workspace.settings, name=self.name)
            return self._commit(table)
        finally:
            self.temp.unlink(missing_ok=True)

    def _commit(self, table: RawTable) -> Draft:
        entry = {
            "name": self.name,
            "path": self.path,
            "size": self.size,
            "sha256": self.digest.hexdigest(),
        }
        artifacts = self.workspace.artifacts
        with _locked(self.draft.id):
            row = self.workspace.metadata.get_draft(self.draft.project_id, self.draft.id)
            names = [f["name"] for f in row.files]
            replaced = self.name in names
            files = [entry if f["name"] == self.name else f for f in row.files]
            files = files if replaced else [*files, entry]
            tables = [table if f is entry else _entry_table(self.workspace, row, f) for f in files]
            combined = tables[0] if len(tables) == 1 else combine(tables)
            spec = _merged_spec(row.spec, combined, self.name)
            if self.final is not None:
                os.replace(self.temp, self.final)
            else:
                artifacts.put_file(self.temp, self.path)
            try:
                updated = self.workspace.metadata.update_draft(
                    row.id, files=files, spec=spec.model_dump(mode="json")
                )
            except BaseException:
                if not replaced:  # e.g. the draft was deleted meanwhile: leave no orphan file
                    artifacts.delete(self.path)
                raise
        _remember(_tables, (self.name, entry["sha256"]), table, TABLE_CACHE_SIZE)
        return updated


def add_file(
    workspace: Workspace,
    draft: Draft,
    filename: str,
    chunks: Iterable[bytes],
    *,
    expected_size: int | None = None,
) -> Draft:
    """Stream a file into the draft (replacing one of the same name) and detect its columns.

    The bytes go to a temporary file, counted against `max_upload_bytes`; the file is read,
    then published under `drafts/<draft id>/files/<filename>` and recorded with its size and
    SHA-256. A refused, malformed or cut-off upload leaves no file and no `files` entry.

    Args:
        workspace: The workspace.
        draft: The draft to add to.
        filename: A plain file name; its extension names the format.
        chunks: The content, in pieces of any size.
        expected_size: The announced size (Content-Length), to refuse early.

    Returns:
        The updated draft, its spec extended with the new columns.

    Raises:
        InvalidConfig: the file name is not a plain name.
        LimitExceeded: the file is over `max_upload_bytes`.
        DataError: the file is malformed (naming row and column) or its row count differs from
            the draft's other files.
    """
    incoming = _Incoming(workspace, draft, filename, expected_size)
    try:
        for chunk in chunks:
            incoming.write(chunk)
    except BaseException:
        incoming.abort()
        raise
    return incoming.finish()


async def add_file_async(
    workspace: Workspace,
    draft: Draft,
    filename: str,
    chunks: AsyncIterator[bytes],
    *,
    expected_size: int | None = None,
) -> Draft:
    """`add_file` for an asynchronous stream (a request body); reading runs in a thread."""
    incoming = _Incoming(workspace, draft, filename, expected_size)
    try:
        async for chunk in chunks:
            incoming.write(chunk)
    except BaseException:
        incoming.abort()
        raise
    return await asyncio.to_thread(incoming.finish)


def _read_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        yield from iter(lambda: handle.read(CHUNK_BYTES), b"")


def add_url(workspace: Workspace, draft: Draft, url: str) -> Draft:
    """Download `url` (within the size limit) and add it to the draft as a file.

    Raises:
        InvalidConfig: the URL is not http(s) or does not end in a usable file name.
        NetworkError: the server cannot be reached or answers with an error.
        LimitExceeded: the download is over `max_upload_bytes`.
    """
    if not url.startswith(("http://", "https://")):
        raise InvalidConfig(f"{url!r} is not an http(s) URL", url=url, field="url")
    local, name = fetch_to_cache(url, workspace.settings)
    return add_file(workspace, draft, name, _read_chunks(local), expected_size=local.stat().st_size)


def remove_file(workspace: Workspace, draft: Draft, filename: str) -> Draft:
    """Take a file out of the draft; its features go too (no files left: the spec is reset).

    Raises:
        NotFound: the draft has no file of that name.
        DataError: the remaining files cannot be combined.
    """
    with _locked(draft.id):
        row = workspace.metadata.get_draft(draft.project_id, draft.id)
        entry = next((f for f in row.files if f["name"] == filename), None)
        if entry is None:
            raise NotFound(f"the draft has no file {filename!r}", file=filename)
        files = [f for f in row.files if f is not entry]
        spec = None
        if files:
            tables = [_entry_table(workspace, row, f) for f in files]
            combined = tables[0] if len(tables) == 1 else combine(tables)
            spec = _merged_spec(row.spec, combined, None).model_dump(mode="json")
        updated = workspace.metadata.update_draft(row.id, files=files, spec=spec)
        if not entry.get("version_id"):  # a stored version's files belong to the version
            workspace.artifacts.delete(entry["path"])
    return updated


def _entry_table(workspace: Workspace, row: Draft, entry: dict[str, Any]) -> RawTable:
    """The columns of one draft file (or of the stored version a draft edits)."""
    key = (entry["name"], entry["sha256"])
    table: RawTable | None = _cached(_tables, key)
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
    _remember(_tables, key, table, TABLE_CACHE_SIZE)
    return table


def _stored_sequence(column: RawColumn) -> FeatureSpec:
    assert isinstance(column.values, EncodedSequences)
    encoding = SequenceEncoding.model_validate({"alphabet": column.values.alphabet})
    return FeatureSpec(
        name=column.name, source=column.name, type=FeatureType.SEQUENCE, sequence=encoding
    )


def _default_spec(table: RawTable) -> DatasetSpec:
    """`default_spec`, also for a stored version's sequences (codes, which detection does not take)."""
    plain_columns = [c for c in table.columns if not isinstance(c.values, EncodedSequences)]
    if len(plain_columns) == len(table.columns):
        return default_spec(table)
    plain = default_spec(RawTable(plain_columns))
    by_source = {f.source: f for f in plain.features}
    features = tuple(by_source.get(c.name) or _stored_sequence(c) for c in table.columns)
    return plain.model_copy(update={"features": features})


def _merged_spec(old: dict[str, Any] | None, table: RawTable, new_file: str | None) -> DatasetSpec:
    """The stored spec fitted to the files' columns.

    The user's features stay where their column still is; columns of `new_file` without one get
    detected features; columns of other files are not revived when the user removed them.
    """
    if old is None:
        return _default_spec(table)
    spec = DatasetSpec.model_validate(old)
    kept: dict[str, list[Any]] = {}
    for feature in spec.features:
        if feature.source in table.names:
            kept.setdefault(feature.source, []).append(feature)
    taken = {f.name for group in kept.values() for f in group}
    features = []
    for column in table.columns:
        if column.name in kept:
            features += kept[column.name]
        elif column.file == new_file:
            detected = detect(column)
            name, k = detected.name, 2
            while name in taken:
                name, k = f"{detected.name}_{k}", k + 1
            taken.add(name)
            features.append(detected.model_copy(update={"name": name}))
    return spec.model_copy(update={"features": tuple(features)})


# Opening and editing
def _open(workspace: Workspace, row: Draft) -> _Opened:
    """The draft's `DatasetDraft` with the row's spec (the caller holds the draft's lock)."""
    key = tuple((f["name"], f["sha256"]) for f in row.files)
    opened: _Opened | None = _cached(_opened, row.id)
    if opened is None or opened.key != key:
        if not row.files:
            raise InvalidConfig("the draft has no files yet; upload one first", draft=row.id)
        tables = [_entry_table(workspace, row, f) for f in row.files]
        table = tables[0] if len(tables) == 1 else combine(tables)
        default = _default_spec(table)
        opened = _Opened(
            key, DatasetDraft(workspace, table, default, name=row.name, project=row.project_id), default
        )
        _remember(_opened, row.id, opened, OPEN_CACHE_SIZE)
    if row.spec is None:
        opened.draft.spec = opened.default
        workspace.metadata.update_draft(row.id, spec=opened.default.model_dump(mode="json"))
    else:
        opened.draft.spec = DatasetSpec.model_validate(row.spec)
    opened.draft.workspace, opened.draft.project = workspace, row.project_id
    opened.draft.name, opened.draft.description = row.name, row.description
    return opened


def _checked(opened: _Opened) -> tuple[VersionContent | None, KozakError | None]:
    """The prepared content under the current spec, or the error that stops it (both cached)."""
    spec = opened.draft.spec
    if opened.failure is not None and opened.failure[0] == spec:
        return None, opened.failure[1]
    try:
        return opened.draft.check(), None
    except KozakError as exc:
        opened.failure = (spec, exc)
        return None, exc


def open_draft(workspace: Workspace, draft: Draft) -> DatasetDraft:
    """The library draft for a stored one: its files' columns under its spec.

    A draft without a spec gets the detected default, which is then stored.

    Raises:
        InvalidConfig: the draft has no files.
        DataError: a file cannot be read or the files cannot be combined.
    """
    with _locked(draft.id):
        row = workspace.metadata.get_draft(draft.project_id, draft.id)
        opened = _open(workspace, row)
        library_draft = opened.draft
        return DatasetDraft(
            workspace,
            library_draft.table,
            library_draft.spec,
            name=row.name,
            project=row.project_id,
            description=row.description,
        )


def _edit(workspace: Workspace, draft: Draft, apply: Callable[[DatasetDraft], object]) -> Draft:
    """Apply one edit and store the new spec.

    An edit that breaks a draft which prepared cleanly is refused with the error; a draft that
    was already broken (missing values, a subset on a removed column, ...) accepts edits, so it
    can be fixed step by step; its view shows what is still wrong.
    """
    with _locked(draft.id):
        row = workspace.metadata.get_draft(draft.project_id, draft.id)
        opened = _open(workspace, row)
        before = opened.draft.spec
        _, broken_before = _checked(opened)
        try:
            apply(opened.draft)
            _, error = _checked(opened)
            if error is not None and broken_before is None:
                raise error
        except BaseException:
            opened.draft.spec = before
            raise
        return workspace.metadata.update_draft(row.id, spec=opened.draft.spec.model_dump(mode="json"))


def _renamed_in_subsets(spec: DatasetSpec, old: str, new: str) -> DatasetSpec:
    subsets = []
    for subset in spec.subsets:
        if isinstance(subset, FilterSubset):
            conditions = tuple(
                c.model_copy(update={"feature": new}) if c.feature == old else c
                for c in subset.conditions
            )
            subset = subset.model_copy(update={"conditions": conditions})
        elif isinstance(subset, RankSubset) and subset.feature == old:
            subset = subset.model_copy(update={"feature": new})
        subsets.append(subset)
    return spec.model_copy(update={"subsets": tuple(subsets)})


def update_feature(
    workspace: Workspace,
    draft: Draft,
    name: str,
    *,
    new_name: str | None = None,
    type: FeatureType | str | None = None,
    encoding: dict[str, Any] | None = None,
    normalization: str | None = None,
) -> Draft:
    """Change one feature: its type, sequence encoding, normalization and label (in that order).

    A new label is carried into the subsets that filter or rank by the feature.

    Raises:
        NotFound: no such feature.
        AlreadyExists: another feature has the new label.
        InvalidConfig | DataError: the change is not valid for the data (naming field or row).
    """

    def apply(library_draft: DatasetDraft) -> None:
        if type is not None:
            library_draft.set_type(name, type)
        if encoding:
            library_draft.set_encoding(name, **encoding)
        if normalization is not None:
            library_draft.set_normalization(name, normalization)
        if new_name is not None and new_name != name:
            if not new_name.strip():
                raise InvalidConfig("a feature needs a name", feature=name, field="name")
            library_draft.rename(name, new_name)
            library_draft.spec = _renamed_in_subsets(library_draft.spec, name, new_name)

    return _edit(workspace, draft, apply)


def remove_feature(workspace: Workspace, draft: Draft, name: str) -> Draft:
    """Leave a feature out of the dataset."""
    return _edit(workspace, draft, lambda d: d.remove_feature(name))


def add_subset(workspace: Workspace, draft: Draft, subset: SubsetSpec | dict[str, Any]) -> Draft:
    """Append a subset (random, filter or rank), given as a model or its JSON.

    Raises:
        InvalidConfig: the definition is invalid or refers to an unknown feature or subset.
        AlreadyExists: a subset of that name exists.
    """
    if isinstance(subset, dict):
        try:
            subset = _SUBSET.validate_python(subset)
        except ValidationError as exc:
            raise invalid_config(exc, "subset") from None
    parsed: Any = subset
    return _edit(workspace, draft, lambda d: d.add_subset(parsed))


def remove_subset(workspace: Workspace, draft: Draft, name: str) -> Draft:
    """Delete a subset (e.g. the default split)."""

    def apply(library_draft: DatasetDraft) -> None:
        library_draft.remove_subset(name)
        if library_draft.spec.normalize_on == name:  # the statistics fall back to the default
            library_draft.set_options(normalize_on=None)

    return _edit(workspace, draft, apply)


def set_options(workspace: Workspace, draft: Draft, **options: Any) -> Draft:
    """Set `normalize_on` (a subset, None for the default) and/or `drop_missing`."""
    return _edit(workspace, draft, lambda d: d.set_options(**options))


def replace_spec(workspace: Workspace, draft: Draft, spec: DatasetSpec | dict[str, Any]) -> Draft:
    """Replace the whole spec (features, subsets, options) at once.

    Raises:
        InvalidConfig: the spec is invalid, naming the field.
    """
    if isinstance(spec, dict):
        try:
            spec = DatasetSpec.model_validate(spec)
        except ValidationError as exc:
            raise invalid_config(exc, "dataset spec") from None
    parsed = spec

    def apply(library_draft: DatasetDraft) -> None:
        library_draft.spec = parsed

    return _edit(workspace, draft, apply)


# Reading
def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_json_safe(v) for v in value]
    return value


def _preview(library_draft: DatasetDraft, rows: int) -> list[dict[str, Any]]:
    """The first rows; one-hot arrays of sequence features shown as their letters."""
    preview = library_draft.preview(rows)
    for feature in library_draft.spec.features:
        raw = library_draft.table.column(feature.source).values
        if feature.type is FeatureType.SEQUENCE and isinstance(raw, np.ndarray) and preview:
            found = one_hot_to_codes(raw[: len(preview)])
            if found is not None:
                for row, text in zip(preview, found.sequences.decode(), strict=True):
                    row[feature.name] = text
    return [{k: _json_safe(v) for k, v in row.items()} for row in preview]


def _features_view(opened: _Opened, content: VersionContent | None) -> list[dict[str, Any]]:
    detected = {f.source: f.type for f in opened.default.features}
    result = []
    for feature in opened.draft.spec.features:
        resolved, tensor_shape = feature, None
        if content is not None:
            data = content.feature(feature.name)
            resolved = data.spec
            longest = data.values.max_length if isinstance(data.values, EncodedSequences) else None
            tensor_shape = list(resolved.tensor_shape(longest))
        result.append(
            {
                "name": feature.name,
                "source": feature.source,
                "file": opened.draft.table.column(feature.source).file,
                "type": feature.type,
                "detected_type": detected.get(feature.source),
                "sequence": feature.sequence,
                "normalization": feature.normalization,
                "shape": list(resolved.shape),
                "categories": None if resolved.categories is None else list(resolved.categories),
                "normalization_stats": resolved.stats,
                "tensor_shape": tensor_shape,
            }
        )
    return result


def draft_view(
    workspace: Workspace, draft: Draft, rows: int = 10, *, stats: bool = False
) -> dict[str, Any]:
    """Everything the Datasets view shows for a draft.

    Returns:
        The row's fields plus `features` (type, detected type, encoding, normalization, shape a
        model sees), `preview` (first `rows` rows), `row_count`, `dropped_rows`, `subsets` (each
        definition with its live row count), `warnings` (overlaps, leakage, dropped rows),
        `error` (what stops the draft from being saved, or None) and `stats` when asked.
    """
    with _locked(draft.id):
        row = workspace.metadata.get_draft(draft.project_id, draft.id)
        view: dict[str, Any] = {
            **row.model_dump(exclude={"spec"}),
            "spec": None,
            "row_count": 0,
            "dropped_rows": 0,
            "features": [],
            "preview": [],
            "subsets": [],
            "warnings": [],
            "error": None,
            "stats": None,
        }
        if not row.files:
            return view
        try:
            opened = _open(workspace, row)
        except KozakError as exc:
            return {**view, "error": exc.to_dict()["error"]}
        content, error = _checked(opened)
        library_draft = opened.draft
        counts = {} if content is None else {k: int(m.sum()) for k, m in content.masks.items()}
        view.update(
            spec=library_draft.spec,
            row_count=library_draft.table.n_rows if content is None else content.n_rows,
            dropped_rows=0 if content is None else content.dropped_rows,
            features=_features_view(opened, content),
            preview=_preview(library_draft, rows),
            subsets=[{"definition": s, "rows": counts.get(s.name)} for s in library_draft.spec.subsets],
            warnings=[] if content is None else content.warnings,
            error=None if error is None else error.to_dict()["error"],
            stats=content.stats if stats and content is not None else None,
        )
        return view


# Saving
def save_draft(workspace: Workspace, draft: Draft, version_name: str | None = None) -> DatasetVersion:
    """Save the draft as a version (of a new dataset, or of the one it edits), then delete it.

    Raises:
        InvalidConfig | DataError: what stops the draft from being saved, naming the field or row.
        AlreadyExists: a new dataset's name or the version name is taken.
    """
    with _locked(draft.id):
        row = workspace.metadata.get_draft(draft.project_id, draft.id)
        opened = _open(workspace, row)
        library_draft = opened.draft
        if row.dataset_id is not None:
            library_draft.name = workspace.metadata.get_dataset(row.project_id, row.dataset_id).name
        else:
            _refuse_taken_name(workspace, row.project_id, row.name)
        version = library_draft.save(version_name)
        delete_draft(workspace, row)
    return version


# Datasets and versions
def delete_dataset(workspace: Workspace, project: Project, dataset_ref: str) -> None:
    """Delete a dataset, its versions, the drafts editing it and their files.

    Raises:
        NotFound: naming the dataset.
        Conflict: an experiment uses one of its versions (naming the experiments).
    """
    metadata = workspace.metadata
    dataset = metadata.get_dataset(project.id, dataset_ref)
    versions = metadata.list_dataset_versions(dataset.id)
    ids = {v.id for v in versions}
    users = [e.name for e in metadata.list_experiments(project.id) if e.dataset_version_id in ids]
    if users:
        raise Conflict(
            f"dataset {dataset.name!r} is used by experiments {', '.join(users)}; delete them first",
            dataset=dataset.name,
            experiments=users,
        )
    drafts = [d for d in metadata.list_drafts(project.id) if d.dataset_id == dataset.id]
    metadata.delete_dataset(dataset.id)  # rows first: a failure leaves every file in place
    paths = [v.artifact_path for v in versions] + [f"datasets/{dataset.id}"]
    for path in paths + [f"drafts/{d.id}" for d in drafts]:
        workspace.artifacts.delete(path)
    for draft in drafts:
        _forget(draft.id)


def version_preview(
    workspace: Workspace, project: Project, dataset: Dataset, version: DatasetVersion, rows: int = 10
) -> dict[str, Any]:
    """The first rows of a stored version, decoded (sequences as letters, classes as names).

    Returns:
        `{"features": [names], "rows": [{feature: value}], "row_count": n}`.
    """
    library_draft = edit_version(workspace, dataset, version, project.id)
    preview = [{k: _json_safe(v) for k, v in r.items()} for r in library_draft.preview(rows)]
    return {
        "features": [f.name for f in library_draft.spec.features],
        "rows": preview,
        "row_count": version.row_count,
    }


__all__ = [
    "add_file",
    "add_file_async",
    "add_subset",
    "add_url",
    "check_filename",
    "create_draft",
    "delete_dataset",
    "delete_draft",
    "draft_from_version",
    "draft_view",
    "get_draft",
    "list_drafts",
    "open_draft",
    "remove_feature",
    "remove_file",
    "remove_subset",
    "replace_spec",
    "save_draft",
    "set_options",
    "update_draft",
    "update_feature",
    "version_preview",
]
