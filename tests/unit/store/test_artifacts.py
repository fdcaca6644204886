"""The artifact store: atomic writes, listing, deletion and the one traversal guard."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from kozak.errors import InvalidConfig, NotFound, StoreError
from kozak.store.artifacts import COPY_CHUNK, ArtifactStore, open_artifact_store, safe_relative_path


@pytest.mark.parametrize("path", ["../x", "/etc/passwd", "a/../../b", "a\\b", "", ".", "c:/x", "a\x00b"])
def test_traversal_guard_refuses_escaping_paths(path: str) -> None:
    with pytest.raises(InvalidConfig):
        safe_relative_path(path)


def test_traversal_guard_normalises_harmless_paths() -> None:
    assert safe_relative_path("a/./b//c.npy") == "a/b/c.npy"


def test_put_get_list_delete(artifact_store: ArtifactStore) -> None:
    artifact_store.put_bytes("runs/1/metrics.json", b"{}")
    assert artifact_store.get_bytes("runs/1/metrics.json") == b"{}"
    assert artifact_store.exists("runs/1")
    assert artifact_store.list("runs") == ["runs/1/metrics.json"]
    artifact_store.delete("runs")
    assert not artifact_store.exists("runs/1/metrics.json")
    with pytest.raises(NotFound):
        artifact_store.get_bytes("runs/1/metrics.json")


def test_put_dir_is_all_or_nothing(artifact_store: ArtifactStore, tmp_path: Path) -> None:
    source = tmp_path / "src"
    (source / "inner").mkdir(parents=True)
    (source / "a.bin").write_bytes(b"a")
    (source / "inner" / "b.bin").write_bytes(b"b")
    artifact_store.put_dir(source, "versions/v1")
    assert artifact_store.list("versions") == ["versions/v1/a.bin", "versions/v1/inner/b.bin"]
    with pytest.raises(StoreError, match="already exists"):
        artifact_store.put_dir(source, "versions/v1")
    assert not any(".tmp-" in p for p in artifact_store.list())


def test_overwrite_replaces_whole_file(artifact_store: ArtifactStore) -> None:
    artifact_store.put_bytes("x", b"first version, long")
    artifact_store.put_bytes("x", b"second")
    assert artifact_store.get_bytes("x") == b"second"


def test_memory_filesystem_works_through_fsspec() -> None:
    store = open_artifact_store("memory://kozak-test-artifacts")
    store.put_bytes("a/b.txt", b"hi")
    assert store.get_bytes("a/b.txt") == b"hi"
    assert store.local_path("a/b.txt") is None
    store.delete("a")


@pytest.mark.parametrize("root", ["local", "memory://kozak-staging"])
def test_staged_dir_publishes_on_success_only(root: str, tmp_path: Path) -> None:
    store = open_artifact_store(str(tmp_path / "a") if root == "local" else root)
    with store.staged_dir("v/ok") as folder:
        (folder / "x.bin").write_bytes(b"x")
    assert store.get_bytes("v/ok/x.bin") == b"x"
    with pytest.raises(RuntimeError), store.staged_dir("v/failed") as folder:
        (folder / "y.bin").write_bytes(b"y")
        raise RuntimeError("crash while writing")
    assert not store.exists("v/failed") and store.list("v") == ["v/ok/x.bin"]
    store.delete("v")


def test_a_copy_that_fails_midway_leaves_no_local_file(
    artifact_store: ArtifactStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = bytes(range(256)) * (3 * COPY_CHUNK // 256)
    artifact_store.put_bytes("experiments/e/best.pt", data)

    class Dropped(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() >= COPY_CHUNK:
                raise OSError("connection reset by peer")
            return super().read(size)

    folder = tmp_path / "cache"
    folder.mkdir()
    with monkeypatch.context() as patch:
        patch.setattr(artifact_store, "open", lambda path: Dropped(data))
        with pytest.raises(OSError, match="connection reset"):
            artifact_store.get_file("experiments/e/best.pt", folder / "best.pt")
    assert list(folder.iterdir()) == []  # neither a truncated file nor a temporary one
    copy = artifact_store.get_file("experiments/e/best.pt", folder / "best.pt")
    assert copy.read_bytes() == data and list(folder.iterdir()) == [copy]
