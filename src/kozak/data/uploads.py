"""Files of stored dataset drafts: plain names, streamed uploads, downloads by URL, removal.

An upload streams to a temporary name, counted against `max_upload_bytes`; it is read (refusing
malformed data), then published under `drafts/<draft id>/files/` and recorded in the draft's row
with its size and SHA-256, the spec fitted to the files' columns. A failed upload leaves nothing.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from kozak.data.dataset_spec import DatasetSpec
from kozak.data.detect import detect
from kozak.data.download import fetch_to_cache
from kozak.data.draft_cache import cache_table, detected_spec, files_table, locked_row
from kozak.data.formats.base import format_of, read_file
from kozak.data.table import RawTable
from kozak.errors import InvalidConfig, LimitExceeded, NotFound
from kozak.store.artifacts import TMP_PREFIX
from kozak.store.entities import Draft
from kozak.workspace import Workspace

CHUNK_BYTES = 1 << 20


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
    """One upload in progress: a temporary file with its running size and SHA-256.

    Used as a context manager around the writes: an exception in the block (a refused size, a
    dropped connection) closes and removes the temporary file.
    """

    def __init__(
        self, workspace: Workspace, draft: Draft, filename: str, expected_size: int | None
    ) -> None:
        self.workspace, self.draft = workspace, draft
        self.name = check_filename(filename)
        format_of(self.name)  # an unknown extension is refused before any byte is stored
        self.limit = workspace.settings.max_upload_bytes
        if expected_size is not None and expected_size > self.limit:
            raise self._too_large()
        self.path = f"drafts/{draft.id}/files/{self.name}"
        self.final = workspace.artifacts.local_path(self.path)
        # Next to the final file on a local store, so publishing is one rename.
        folder = self.final.parent if self.final is not None else workspace.settings.home / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        self.temp = folder / f"{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{self.name}"
        self.handle: IO[bytes] = open(self.temp, "wb")  # noqa: SIM115  (closed in finish or on error)
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

    def __enter__(self) -> _Incoming:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if kind is not None:
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
        entry: dict[str, Any] = {
            "name": self.name,
            "path": self.path,
            "size": self.size,
            "sha256": self.digest.hexdigest(),
        }
        artifacts = self.workspace.artifacts
        with locked_row(self.workspace, self.draft) as row:
            replaced = self.name in [f["name"] for f in row.files]
            files = [entry if f["name"] == self.name else f for f in row.files]
            files = files if replaced else [*files, entry]
            combined = files_table(self.workspace, row, files, fresh={self.name: table})
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
        cache_table(self.name, entry["sha256"], table)
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
    with _Incoming(workspace, draft, filename, expected_size) as incoming:
        for chunk in chunks:
            incoming.write(chunk)
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
    with _Incoming(workspace, draft, filename, expected_size) as incoming:
        async for chunk in chunks:
            incoming.write(chunk)
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
    with locked_row(workspace, draft) as row:
        entry = next((f for f in row.files if f["name"] == filename), None)
        if entry is None:
            raise NotFound(f"the draft has no file {filename!r}", file=filename)
        files = [f for f in row.files if f is not entry]
        spec = None
        if files:
            combined = files_table(workspace, row, files)
            spec = _merged_spec(row.spec, combined, None).model_dump(mode="json")
        updated = workspace.metadata.update_draft(row.id, files=files, spec=spec)
        if not entry.get("version_id"):  # a stored version's files belong to the version
            workspace.artifacts.delete(entry["path"])
    return updated


def _merged_spec(old: dict[str, Any] | None, table: RawTable, new_file: str | None) -> DatasetSpec:
    """The stored spec fitted to the files' columns.

    The user's features stay where their column still is; columns of `new_file` without one get
    detected features; columns of other files are not revived when the user removed them.
    """
    if old is None:
        return detected_spec(table)
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


__all__ = ["add_file", "add_file_async", "add_url", "check_filename", "remove_file"]
