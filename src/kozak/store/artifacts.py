"""The artifact store: files under one root URL (a local folder by default, any fsspec URL).

Every relative path passes through `safe_relative_path`, the one traversal guard. Writes are
atomic: data goes to a temporary sibling that is renamed into place when complete, so a reader
never sees half a file or half a directory. Local copies (`get_file`, the caches of checkpoints
and deployed models) are written the same way: a crash mid-copy leaves no truncated file.
"""

from __future__ import annotations

import abc
import os
import posixpath
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

import fsspec
from fsspec.implementations.local import LocalFileSystem

from kozak.errors import InvalidConfig, NotFound, StoreError

TMP_PREFIX = ".tmp-"
COPY_CHUNK = 1 << 20


def safe_relative_path(path: str) -> str:
    """Normalise an artifact path and refuse anything that could leave the store's root.

    Raises:
        InvalidConfig: for absolute paths, `..` components, backslashes, NUL bytes or "".
    """
    if not path or "\x00" in path or "\\" in path:
        raise InvalidConfig(f"invalid artifact path {path!r}", path=path)
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or (pure.parts and ":" in pure.parts[0]):
        raise InvalidConfig(f"artifact path {path!r} escapes the artifact store", path=path)
    normal = posixpath.normpath(path)
    if normal in (".", ""):
        raise InvalidConfig(f"invalid artifact path {path!r}", path=path)
    return normal


class ArtifactStore(abc.ABC):
    """Small surface of primitives; everything else is built on them in this base class."""

    @abc.abstractmethod
    def put_bytes(self, path: str, data: bytes) -> None:
        """Write `data` at `path` atomically."""

    @abc.abstractmethod
    def put_dir(self, local_dir: Path, path: str) -> None:
        """Copy a local directory to `path` atomically; `path` must not exist yet."""

    @abc.abstractmethod
    def open(self, path: str) -> IO[bytes]:
        """Open an artifact for binary reading."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> list[str]:
        """Relative paths of all files under `prefix`, sorted."""

    @abc.abstractmethod
    def exists(self, path: str) -> bool:
        """Whether a file or directory exists at `path`."""

    @abc.abstractmethod
    def delete(self, path: str) -> None:
        """Remove a file or directory tree; missing paths are ignored."""

    @abc.abstractmethod
    def local_path(self, path: str) -> Path | None:
        """A local filesystem path for `path` when the store is local (for memory-mapping)."""

    @contextmanager
    def staged_dir(self, path: str) -> Iterator[Path]:
        """A local directory to fill; on success it becomes `path` at once, on error it vanishes.

        The base version fills a temporary directory and uploads it with `put_dir`; local stores
        stage inside the root so that publishing is a single rename, with no copy.
        """
        with tempfile.TemporaryDirectory(prefix="kozak-stage-") as scratch:
            yield Path(scratch)
            self.put_dir(Path(scratch), path)

    def get_bytes(self, path: str) -> bytes:
        """The whole content of an artifact."""
        with self.open(path) as handle:
            return handle.read()

    def put_file(self, local_file: Path, path: str) -> None:
        """Copy a local file to `path` atomically."""
        self.put_bytes(path, Path(local_file).read_bytes())

    def get_file(self, path: str, local_file: Path) -> Path:
        """Copy an artifact to a local file, atomically: the file appears only when complete."""
        target = Path(local_file)
        with tempfile.NamedTemporaryFile(
            dir=target.parent, prefix=f"{TMP_PREFIX}{target.name}-", delete=False
        ) as temp:
            try:
                with self.open(path) as source:
                    shutil.copyfileobj(source, temp, COPY_CHUNK)
            except BaseException:
                temp.close()
                Path(temp.name).unlink(missing_ok=True)
                raise
        os.replace(temp.name, target)
        return target


class FsspecArtifactStore(ArtifactStore):
    """An artifact store on any fsspec filesystem; `root` is a path or URL."""

    def __init__(self, root: str) -> None:
        self.root = root
        self.fs, self._root_path = fsspec.core.url_to_fs(root)
        self._root_path = self._root_path.rstrip("/")
        self.fs.makedirs(self._root_path, exist_ok=True)

    def _full(self, path: str) -> str:
        return f"{self._root_path}/{safe_relative_path(path)}"

    def _temp_sibling(self, full: str) -> str:
        parent, name = posixpath.split(full)
        self.fs.makedirs(parent, exist_ok=True)
        return f"{parent}/{TMP_PREFIX}{uuid.uuid4().hex[:8]}-{name}"

    def put_bytes(self, path: str, data: bytes) -> None:
        full = self._full(path)
        temp = self._temp_sibling(full)
        try:
            with self.fs.open(temp, "wb") as handle:
                handle.write(data)
            self.fs.mv(temp, full)
        except OSError as exc:
            self._discard(temp)
            raise StoreError(f"cannot write artifact {path!r}: {exc}", path=path) from exc

    def put_dir(self, local_dir: Path, path: str) -> None:
        full = self._full(path)
        if self.fs.exists(full):
            raise StoreError(f"artifact directory {path!r} already exists", path=path)
        temp = self._temp_sibling(full)
        try:
            self.fs.put(str(local_dir), temp, recursive=True)
            self.fs.mv(temp, full, recursive=True)
        except OSError as exc:
            self._discard(temp)
            raise StoreError(f"cannot write artifact directory {path!r}: {exc}", path=path) from exc

    def _discard(self, full: str) -> None:
        if self.fs.exists(full):
            self.fs.rm(full, recursive=True)

    def open(self, path: str) -> IO[bytes]:
        full = self._full(path)
        try:
            return self.fs.open(full, "rb")
        except FileNotFoundError:
            raise NotFound(f"no artifact {path!r}", path=path) from None

    def list(self, prefix: str = "") -> list[str]:
        base = self._full(prefix) if prefix else self._root_path
        if not self.fs.exists(base):
            return []
        start = len(self._root_path) + 1
        found = [p[start:] for p in self.fs.find(base)] if self.fs.isdir(base) else [base[start:]]
        return sorted(p for p in found if not posixpath.basename(p).startswith(TMP_PREFIX))

    def exists(self, path: str) -> bool:
        return bool(self.fs.exists(self._full(path)))

    def delete(self, path: str) -> None:
        self._discard(self._full(path))

    @contextmanager
    def staged_dir(self, path: str) -> Iterator[Path]:
        if not isinstance(self.fs, LocalFileSystem):
            with super().staged_dir(path) as folder:
                yield folder
            return
        full = self._full(path)
        if self.fs.exists(full):
            raise StoreError(f"artifact directory {path!r} already exists", path=path)
        temp = self._temp_sibling(full)
        try:
            Path(temp).mkdir()
            yield Path(temp)
            Path(temp).rename(full)
        except BaseException:
            self._discard(temp)
            raise

    def local_path(self, path: str) -> Path | None:
        if isinstance(self.fs, LocalFileSystem):
            return Path(self._full(path))
        return None


LocalArtifactStore = FsspecArtifactStore


def open_artifact_store(root: str) -> ArtifactStore:
    """The artifact store for a root path or URL (`file://`, `memory://`, `s3://`, ...)."""
    return FsspecArtifactStore(root)
