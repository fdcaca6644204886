"""Every format reads, and every kind of bad input is refused naming file, row and column."""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from kozak.data.formats import read_files
from kozak.errors import DataError, LimitExceeded
from kozak.settings import Settings


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_csv_delimiters_are_sniffed(tmp_path: Path, settings: Settings) -> None:
    for name, delimiter in [("a.csv", ","), ("b.tsv", "\t"), ("c.txt", ";")]:
        path = write(
            tmp_path / name,
            delimiter.join(["seq", "y"]) + "\n" + delimiter.join(["ACGT", "1.5"]) + "\n",
        )
        table = read_files([path], settings)
        assert table.names == ["seq", "y"]
        assert table.column("y").values.to_pylist() == [1.5]


def test_gzip_is_transparent_and_blank_leading_header_is_the_index(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "lib.csv.gz"
    path.write_bytes(gzip.compress(b",UTR,t0\n0,ACGT,3\n1,GGCC,4\n"))
    table = read_files([path], settings)
    assert table.names == ["index", "UTR", "t0"]
    assert table.sources[0].format == "csv" and len(table.sources[0].sha256) == 64


def test_parquet(tmp_path: Path, settings: Settings) -> None:
    pq.write_table(pa.table({"seq": ["ACGT", "AC"], "y": [1.0, 2.0]}), tmp_path / "a.parquet")
    table = read_files([tmp_path / "a.parquet"], settings)
    assert table.n_rows == 2 and table.names == ["seq", "y"]


def test_npy_and_npz(tmp_path: Path, settings: Settings) -> None:
    np.save(tmp_path / "onehot.npy", np.zeros((3, 4, 70, 1), dtype=np.float32))
    table = read_files([tmp_path / "onehot.npy"], settings)
    assert table.names == ["onehot"] and table.column("onehot").values.shape == (3, 4, 70, 1)
    np.savez(tmp_path / "arrays.npz", x=np.ones((3, 5)), y=np.arange(3))
    table = read_files([tmp_path / "arrays.npz"], settings)
    assert table.names == ["x", "y"] and table.n_rows == 3


def test_fasta_with_header_fields(tmp_path: Path, settings: Settings) -> None:
    path = write(tmp_path / "a.fa", ">s1 expr=1.5 tissue=leaf\nACGT\nAC\n\n>s2 expr=2\nGGG\n")
    table = read_files([path], settings)
    assert table.names == ["id", "sequence", "expr", "tissue"]
    assert table.column("sequence").values.to_pylist() == ["ACGTAC", "GGG"]
    assert table.column("expr").values.to_pylist() == [1.5, 2.0]
    assert table.column("tissue").values.to_pylist() == ["leaf", None]


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def test_peltarion_zip_bundle(tmp_path: Path, settings: Settings) -> None:
    path = _zip(
        tmp_path / "bundle.zip",
        {
            "data/index.csv": b"growth,seq\n1.0,arrays/0.npy\n2.0,arrays/1.npy\n",
            "data/arrays/0.npy": _npy(np.eye(4)[[0, 1, 2]].T.reshape(4, 3, 1)),
            "data/arrays/1.npy": _npy(np.eye(4)[[3, 3, 3]].T.reshape(4, 3, 1)),
        },
    )
    table = read_files([path], settings)
    assert table.names == ["growth", "seq"]
    assert table.column("seq").values.shape == (2, 4, 3, 1)


def test_files_combine_column_wise(tmp_path: Path, settings: Settings) -> None:
    csv = write(tmp_path / "a.csv", "y\n1\n2\n")
    np.save(tmp_path / "y.npy", np.zeros((2, 4, 5)))
    table = read_files([csv, tmp_path / "y.npy"], settings)
    assert table.names == ["y", "y_2"]


# Bad input


def test_row_counts_must_match(tmp_path: Path, settings: Settings) -> None:
    csv = write(tmp_path / "a.csv", "y\n1\n2\n")
    np.save(tmp_path / "x.npy", np.zeros((3, 4)))
    with pytest.raises(DataError, match=r"x\.npy has 3 rows but a\.csv has 2") as err:
        read_files([csv, tmp_path / "x.npy"], settings)
    assert err.value.details["file"] == "x.npy"


def test_empty_file(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(DataError, match="empty"):
        read_files([write(tmp_path / "a.csv", "")], settings)
    with pytest.raises(DataError, match="no rows"):
        read_files([write(tmp_path / "b.csv", "seq,y\n")], settings)


def test_non_utf8_names_the_line(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"seq,y\nACGT,1\nAC\xff\xfeGT,2\n")
    with pytest.raises(DataError, match="not UTF-8") as err:
        read_files([path], settings)
    assert err.value.details == {"file": "a.csv", "line": 3}


def test_a_header_that_is_not_utf8_names_the_first_line(tmp_path: Path, settings: Settings) -> None:
    """Found by the fuzzer: Arrow decoded the names only when read, so this was a 500."""
    path = tmp_path / "a.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR,y\nACGT,1\n")
    with pytest.raises(DataError, match="not UTF-8") as err:
        read_files([path], settings)
    assert err.value.details == {"file": "a.csv", "line": 1}


def test_ragged_csv_row(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(DataError, match="expected 2") as err:
        read_files([write(tmp_path / "a.csv", "seq,y\nACGT,1\nACGT,1,9\n")], settings)
    assert err.value.details["actual"] == 3


def test_a_short_csv_row_names_its_line_as_an_editor_counts(tmp_path: Path, settings: Settings) -> None:
    """Line 1 is the header; the short row is line 4 (Arrow, parsing on threads, numbers none)."""
    text = "seq,y\nACGT,1\nACGA,2\nACGC\nACGG,4\n"
    with pytest.raises(DataError) as err:
        read_files([write(tmp_path / "a.csv", text)], settings)
    assert err.value.message == "a.csv: line 4 has 1 field, expected 2 (delimiter ','): 'ACGC'"
    assert err.value.details == {"file": "a.csv", "line": 4, "expected": 2, "actual": 1}


def test_ragged_npy_is_refused_without_unpickling(tmp_path: Path, settings: Settings) -> None:
    ragged = np.empty(2, dtype=object)
    ragged[0], ragged[1] = [1, 2], [1]
    np.save(tmp_path / "r.npy", ragged, allow_pickle=True)
    with pytest.raises(DataError, match="ragged"):
        read_files([tmp_path / "r.npy"], settings)


def test_non_numeric_npy(tmp_path: Path, settings: Settings) -> None:
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))
    with pytest.raises(DataError, match="expected integers, floats"):
        read_files([tmp_path / "s.npy"], settings)


def test_nan_in_npy_names_the_row(tmp_path: Path, settings: Settings) -> None:
    array = np.zeros((3, 2))
    array[2, 1] = np.nan
    np.save(tmp_path / "n.npy", array)
    with pytest.raises(DataError, match="row 3 holds"):  # counted from 1
        read_files([tmp_path / "n.npy"], settings)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    small = Settings(home=tmp_path / "h", max_upload_bytes=10)
    with pytest.raises(LimitExceeded, match="over the limit"):
        read_files([write(tmp_path / "a.csv", "seq,y\nACGTACGT,1\n")], small)


def test_zip_member_escaping_its_folder(tmp_path: Path, settings: Settings) -> None:
    path = _zip(tmp_path / "evil.zip", {"index.csv": b"a\n1\n", "../../etc/x.npy": _npy(np.zeros(2))})
    with pytest.raises(DataError, match="escapes"):
        read_files([path], settings)


def test_zip_bomb(tmp_path: Path, settings: Settings) -> None:
    path = _zip(tmp_path / "bomb.zip", {"index.csv": b"a\n1\n", "big.npy": b"\0" * 5_000_000})
    with pytest.raises(LimitExceeded, match="decompression bomb"):
        read_files([path], settings)


def test_zip_reference_to_missing_member(tmp_path: Path, settings: Settings) -> None:
    path = _zip(tmp_path / "b.zip", {"index.csv": b"x\na.npy\nb.npy\n", "a.npy": _npy(np.zeros(3))})
    with pytest.raises(DataError, match="row 2 of column 'x'"):
        read_files([path], settings)


def test_unknown_extension(tmp_path: Path, settings: Settings) -> None:
    with pytest.raises(DataError, match="unknown file type"):
        read_files([write(tmp_path / "a.docx", "x")], settings)


def test_multi_member_and_truncated_gzip(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "two.csv.gz"
    path.write_bytes(gzip.compress(b"seq,y\nACGT,1\n") + gzip.compress(b"GGCC,2\n"))
    assert read_files([path], settings).n_rows == 2
    whole = gzip.compress(b"seq,y\n" + b"ACGTACGT,1\n" * 1000)
    (tmp_path / "cut.csv.gz").write_bytes(whole[: len(whole) // 2])
    with pytest.raises(DataError, match="not a valid gzip"):
        read_files([tmp_path / "cut.csv.gz"], settings)
    small = Settings(home=tmp_path / "h", max_inflated_bytes=1000)
    bomb = tmp_path / "big.csv.gz"
    bomb.write_bytes(gzip.compress(b"x\n" + b"1\n" * 5000))  # 10 kB from a few dozen bytes
    with pytest.raises(LimitExceeded, match="expands"):
        read_files([bomb], small)
