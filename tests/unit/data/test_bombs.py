"""Decompression bombs and broken archives are refused with the limit or file they break.

The bombs are the review's three, scaled to run in seconds: an index naming one member
100,000 times, an NPZ of large members, and a small gzip that inflates a thousand times over.
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from kozak.data.formats import read_files
from kozak.errors import DataError, ExpansionLimit
from kozak.settings import Settings

MiB = 1 << 20


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def _zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as archive:
        for member, content in members.items():
            archive.writestr(member, content)
    return path


def test_index_naming_one_member_many_times(tmp_path: Path) -> None:
    one = _npy(np.zeros((4, 50), np.float32))  # 800 bytes of data
    index = b"x\n" + b"a.npy\n" * 100_000  # 80 MB once assembled
    path = _zip(tmp_path / "bundle.zip", {"index.csv": index, "a.npy": one})
    budget = Settings(home=tmp_path / "h", max_inflated_bytes=16 * MiB)
    with pytest.raises(ExpansionLimit, match="KOZAK_MAX_INFLATED_BYTES") as refused:
        read_files([path], budget)
    assert refused.value.http_status == 422


def test_a_member_is_read_once_however_often_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = _npy(np.arange(8, dtype=np.float32))
    path = _zip(tmp_path / "b.zip", {"index.csv": b"x,y\n" + b"a.npy,a.npy\n" * 500, "a.npy": one})
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def counting_open(self: zipfile.ZipFile, name: object, *args: object, **kwargs: object) -> object:
        opened.append(getattr(name, "filename", str(name)))
        return real_open(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", counting_open)
    table = read_files([path], Settings(home=tmp_path / "h"))
    assert table.n_rows == 500 and sorted(opened) == ["a.npy", "index.csv"]


def test_npz_members_share_one_budget(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)  # incompressible, so the budget (not the ratio) trips
    np.savez(tmp_path / "many.npz", *[rng.random((MiB // 8,)) for _ in range(4)])  # 1 MiB each
    settings = Settings(home=tmp_path / "h", max_inflated_bytes=3 * MiB)
    with pytest.raises(ExpansionLimit, match="KOZAK_MAX_INFLATED_BYTES"):
        read_files([tmp_path / "many.npz"], settings)
    assert read_files([tmp_path / "many.npz"], Settings(home=tmp_path / "h")).n_rows == MiB // 8


def test_npz_of_zeros_trips_the_ratio(tmp_path: Path) -> None:
    np.savez_compressed(tmp_path / "zeros.npz", a=np.zeros(8 * MiB, np.uint8))
    with pytest.raises(ExpansionLimit, match="KOZAK_MAX_ZIP_EXPANSION"):
        read_files([tmp_path / "zeros.npz"], Settings(home=tmp_path / "h"))


def test_small_gzip_that_inflates_a_thousandfold(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"x\n" + b"1\n" * (32 * MiB), compresslevel=9))
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ExpansionLimit, match="KOZAK_MAX_ZIP_EXPANSION") as refused:
        read_files([bomb], Settings(home=tmp_path / "h"))
    assert refused.value.details["file"] == "bomb.csv.gz"


def test_gzip_within_the_ratio_still_counts_against_the_budget(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    text = "\n".join(f"{v:.6f}" for v in rng.random(400_000)).encode()  # ~3.5 MB, compresses ~2x
    path = tmp_path / "values.csv.gz"
    path.write_bytes(gzip.compress(b"v\n" + text + b"\n"))
    with pytest.raises(ExpansionLimit, match="KOZAK_MAX_INFLATED_BYTES"):
        read_files([path], Settings(home=tmp_path / "h", max_inflated_bytes=2 * MiB))
    assert read_files([path], Settings(home=tmp_path / "h")).n_rows == 400_000


def _patch_headers(path: Path, local: tuple[int, bytes], central: tuple[int, bytes]) -> None:
    """Overwrite bytes at an offset in every local (PK\\3\\4) and central (PK\\1\\2) header."""
    data = bytearray(path.read_bytes())
    for signature, (offset, value) in ((b"PK\x03\x04", local), (b"PK\x01\x02", central)):
        start = data.find(signature)
        while start >= 0:
            data[start + offset : start + offset + len(value)] = value
            start = data.find(signature, start + 4)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("case", "match"),
    [
        ("encrypted", "unencrypted"),
        ("unsupported", "with deflate or no compression"),
        ("corrupt", "cannot read this member"),
        ("truncated", "not a valid"),
    ],
)
@pytest.mark.parametrize("suffix", ["zip", "npz"])
def test_broken_archives_name_the_file(tmp_path: Path, case: str, match: str, suffix: str) -> None:
    members = {"index.csv": b"x\na.npy\n", "a.npy": _npy(np.arange(1000.0))}
    if suffix == "npz":
        members = {"a.npy": members["a.npy"]}
    path = _zip(tmp_path / f"broken.{suffix}", members)
    if case == "encrypted":  # general-purpose flag bit 0
        _patch_headers(path, (6, b"\x01\x00"), (8, b"\x01\x00"))
    elif case == "unsupported":  # compression method 99 (AES)
        _patch_headers(path, (8, b"\x63\x00"), (10, b"\x63\x00"))
    elif case == "corrupt":
        data = bytearray(path.read_bytes())
        where = data.find(b"a.npy") + 40  # inside the member's deflate stream
        data[where : where + 64] = b"\xff" * 64
        path.write_bytes(bytes(data))
    else:
        path.write_bytes(path.read_bytes()[:-30])
    with pytest.raises(DataError, match=match) as refused:
        read_files([path], Settings(home=tmp_path / "h"))
    assert refused.value.details["file"] == path.name
    assert refused.value.http_status == 422
