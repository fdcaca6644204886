"""The yeast 5'UTR libraries of Cuperus et al. 2017 (GEO GSE104252): fetch, check and cache.

Contract:

* `LIBRARIES` names the two processed GEO files: ``random`` (GSM2793752, 489,348 random 50-nt
  UTRs) and ``native`` (GSM2793754, 11,856 native fragments of 2-50 nt), with their HTTPS URLs,
  expected row counts and allowed sequence lengths.
* `download` streams a library into ``<home>/cache/yeast/<file>.part``, resuming an interrupted
  transfer with an HTTP ``Range`` request (and restarting when the server ignores it), and renames
  the file into place only after `validate` passes. A file under the final name is therefore
  always a validated one, and later calls reuse it without any request.
* `from_file` validates a copy the user obtained elsewhere and caches it the same way.
* `validate` reads the gzipped CSV and checks, in order: the gzip stream, the CSV, the columns
  (``UTR``, ``growth_rate``, ``t0``, ``t1``), the row count, the counts and labels, the sequences
  (ACGT, allowed lengths) and the label identity
  ``growth_rate = ln(((t1+1)/Σ(t1+1)) / ((t0+1)/Σ(t0+1)))`` within 1e-6. A failed check raises
  `DataError` whose message names the check; row numbers count data rows from 0, like the
  file's own index column.
* No network (connection refused, DNS failure, timeout) raises `NetworkError` saying the machine
  cannot reach the server and suggesting ``--from-file PATH`` or ``--synthetic``.
"""

from __future__ import annotations

import gzip
import io
import shutil
import urllib.parse
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd

from kozak.errors import DataError, LimitExceeded, NetworkError
from kozak.settings import Settings

#: Called with (bytes done, total bytes or None when the server does not say).
Progress = Callable[[int, int | None], None]

#: Largest allowed max-abs difference between `growth_rate` and the label identity.
LABEL_TOLERANCE = 1e-6

REQUIRED_COLUMNS = ("UTR", "growth_rate", "t0", "t1")

_ATTEMPTS = 3


@dataclass(frozen=True)
class YeastLibrary:
    """One processed GEO file of the Cuperus et al. 2017 experiment.

    Attributes:
        name: Short name used on the command line (``random`` or ``native``).
        sample: GEO sample accession.
        url: HTTPS address of the processed file.
        file_name: Name of the file in the cache.
        rows: Expected number of data rows.
        min_length: Shortest allowed UTR, in nucleotides.
        max_length: Longest allowed UTR, in nucleotides.
    """

    name: str
    sample: str
    url: str
    file_name: str
    rows: int
    min_length: int
    max_length: int


LIBRARIES: dict[str, YeastLibrary] = {
    "random": YeastLibrary(
        name="random",
        sample="GSM2793752",
        url="https://ftp.ncbi.nlm.nih.gov/geo/samples/GSM2793nnn/GSM2793752/suppl/"
        "GSM2793752_Random_UTRs.csv.gz",
        file_name="GSM2793752_Random_UTRs.csv.gz",
        rows=489_348,
        min_length=50,
        max_length=50,
    ),
    "native": YeastLibrary(
        name="native",
        sample="GSM2793754",
        url="https://ftp.ncbi.nlm.nih.gov/geo/samples/GSM2793nnn/GSM2793754/suppl/"
        "GSM2793754_Native_UTRs.csv.gz",
        file_name="GSM2793754_Native_UTRs.csv.gz",
        rows=11_856,
        min_length=2,
        max_length=50,
    ),
}


def get_library(library: str | YeastLibrary) -> YeastLibrary:
    """The library called `library` (or `library` itself when already a `YeastLibrary`).

    Raises:
        DataError: when no library has that name.
    """
    if isinstance(library, YeastLibrary):
        return library
    try:
        return LIBRARIES[library]
    except KeyError:
        known = ", ".join(sorted(LIBRARIES))
        raise DataError(f"unknown yeast library {library!r}; known: {known}", library=library) from None


def cache_path(library: str | YeastLibrary, settings: Settings) -> Path:
    """Where the validated file of `library` lives: ``<home>/cache/yeast/<file>``."""
    return settings.home / "cache" / "yeast" / get_library(library).file_name


def download(
    library: str | YeastLibrary,
    settings: Settings,
    *,
    url: str | None = None,
    progress: Progress | None = None,
) -> Path:
    """Fetch `library` into the cache (resuming a partial download) and return its path.

    Args:
        library: ``"random"``, ``"native"`` or a `YeastLibrary`.
        settings: Gives the workspace home, the read timeout and the size limit.
        url: Another address for the same file (a mirror, or a local server in tests).
        progress: Called with (bytes done, total bytes or None) as the file arrives.

    Returns:
        The cached, validated file. An already cached file is returned without any request.

    Raises:
        NetworkError: when the server cannot be reached, answers with an error status, or
            keeps dropping the connection (the ``.part`` file is kept for the next attempt).
        DataError: when the downloaded file fails `validate` (the ``.part`` file is removed).
        LimitExceeded: when the file is larger than ``settings.max_upload_bytes``.
    """
    lib = get_library(library)
    target = cache_path(lib, settings)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    source = url or lib.url
    for attempt in range(1, _ATTEMPTS + 1):
        before = part.stat().st_size if part.exists() else 0
        try:
            _fetch(source, part, settings, progress)
            break
        except LimitExceeded:
            part.unlink(missing_ok=True)
            raise
        except (httpx.RemoteProtocolError, httpx.ReadError) as exc:
            gained = (part.stat().st_size if part.exists() else 0) > before
            if attempt < _ATTEMPTS and gained:
                continue
            raise NetworkError(
                f"the download of {source} was interrupted ({exc}); run the command again to "
                f"resume it from {part}",
                url=source,
                partial=str(part),
            ) from exc
    try:
        validate(lib, part)
    except DataError:
        part.unlink(missing_ok=True)
        raise
    part.replace(target)
    return target


def _fetch(url: str, part: Path, settings: Settings, progress: Progress | None) -> None:
    """Stream `url` into `part`, appending from its current size when the server allows it."""
    offset = part.stat().st_size if part.exists() else 0
    # Identity encoding and raw bytes: Range offsets count the bytes of the file as stored.
    headers = {"Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    host = urllib.parse.urlparse(url).netloc or url
    try:
        with httpx.stream(
            "GET", url, headers=headers, follow_redirects=True, timeout=settings.download_timeout_s
        ) as response:
            if response.status_code == 416 and offset:
                # The range starts at or past the end: the .part is stale; start over.
                part.unlink(missing_ok=True)
                _fetch(url, part, settings, progress)
                return
            response.raise_for_status()
            length = response.headers.get("Content-Length")
            size = int(length) if length and length.isdigit() else None
            if response.status_code == 206 and _range_start(response) == offset:
                mode = "ab"
                total = _range_total(response) or (offset + size if size is not None else None)
            else:
                # 200 (the server ignored the Range header) or an unexpected range: restart.
                mode, offset, total = "wb", 0, size
            if total is not None and total > settings.max_upload_bytes:
                raise _too_large(url, settings)
            done = offset
            if progress is not None:
                progress(done, total)
            with open(part, mode) as handle:
                for chunk in response.iter_raw():
                    done += len(chunk)
                    if done > settings.max_upload_bytes:
                        raise _too_large(url, settings)
                    handle.write(chunk)
                    if progress is not None:
                        progress(done, total)
    except httpx.HTTPStatusError as exc:
        status = exc.response.status_code
        raise NetworkError(f"{url} answered {status}", url=url, status=status) from exc
    except (httpx.ConnectError, httpx.TimeoutException) as exc:
        raise NetworkError(
            f"this machine cannot reach {host} ({type(exc).__name__}: {exc}). Download "
            f"{url} on a machine with internet access and pass it with --from-file PATH, "
            "or use --synthetic to run on a synthetic stand-in library.",
            url=url,
        ) from exc
    except (httpx.RemoteProtocolError, httpx.ReadError):
        raise
    except httpx.HTTPError as exc:
        raise NetworkError(f"cannot download {url}: {exc}", url=url) from exc


def _range_start(response: httpx.Response) -> int | None:
    """The first byte of a ``Content-Range: bytes a-b/total`` answer, or None."""
    value = response.headers.get("Content-Range", "")
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _range_total(response: httpx.Response) -> int | None:
    """The total size of a ``Content-Range: bytes a-b/total`` answer, or None when unknown."""
    total = response.headers.get("Content-Range", "").rpartition("/")[2]
    return int(total) if total.isdigit() else None


def _too_large(url: str, settings: Settings) -> LimitExceeded:
    return LimitExceeded(
        f"{url} is larger than the limit of {settings.max_upload_bytes} bytes",
        url=url,
        limit=settings.max_upload_bytes,
    )


def from_file(library: str | YeastLibrary, path: str | Path, settings: Settings) -> Path:
    """Validate a user's copy of `library` and cache it; return the cached path.

    Args:
        library: ``"random"``, ``"native"`` or a `YeastLibrary`.
        path: The user's gzipped CSV (for example downloaded on another machine).
        settings: Gives the workspace home.

    Raises:
        DataError: when the file is missing or fails `validate`; nothing is cached then.
    """
    lib = get_library(library)
    source = Path(path).expanduser()
    if not source.is_file():
        raise DataError(f"{source} does not exist or is not a file", file=str(source))
    validate(lib, source)
    target = cache_path(lib, settings)
    if source.resolve() == target.resolve():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.with_name(target.name + ".import")
    try:
        shutil.copyfile(source, staging)
        staging.replace(target)
    finally:
        staging.unlink(missing_ok=True)
    return target


def validate(library: str | YeastLibrary, path: str | Path) -> dict[str, Any]:
    """Check that `path` is a complete, consistent copy of `library`.

    Args:
        library: ``"random"``, ``"native"`` or a `YeastLibrary`.
        path: A gzipped CSV with at least the columns UTR, growth_rate, t0 and t1.

    Returns:
        ``{"library", "rows", "max_residual", "offset", "min_length", "max_length"}``, where
        ``max_residual`` is the largest absolute difference between growth_rate and the label
        identity and ``offset`` is ``ln(Σ(t0+1)/Σ(t1+1))``.

    Raises:
        DataError: naming the failed check (truncated gzip, CSV, columns, row count, counts,
            labels, sequence, label identity) and, where it applies, the row.
    """
    lib = get_library(library)
    file = Path(path)
    where = {"file": str(file), "library": lib.name}
    try:
        with gzip.open(file, "rb") as handle:
            raw = handle.read()
    except EOFError as exc:
        raise DataError(f"{file.name}: truncated gzip (the file ends early)", **where) from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise DataError(f"{file.name}: not a valid gzip file ({exc})", **where) from exc
    except OSError as exc:
        raise DataError(f"{file.name}: cannot read the file ({exc})", **where) from exc
    try:
        table = pd.read_csv(io.BytesIO(raw), dtype={"UTR": "string"})
    except (ValueError, pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(f"{file.name}: not a readable CSV ({exc})", **where) from exc
    missing = [column for column in REQUIRED_COLUMNS if column not in table.columns]
    if missing:
        raise DataError(
            f"{file.name}: missing column(s) {', '.join(missing)}; expected "
            f"{', '.join(REQUIRED_COLUMNS)}",
            **where,
        )
    rows = len(table)
    if rows != lib.rows:
        raise DataError(
            f"{file.name} has {rows:,} rows, expected {lib.rows:,} for the {lib.name} library",
            rows=rows,
            expected=lib.rows,
            **where,
        )
    counts = {}
    for column in ("t0", "t1"):
        values = pd.to_numeric(table[column], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
        if bad.any():
            index = int(np.argmax(bad))
            row = index + 1  # counted from 1, as a spreadsheet does
            raise DataError(
                f"row {row}: {column} is {table[column].iloc[index]!r}, expected a non-negative "
                "integer read count",
                row=row,
                column=column,
                **where,
            )
        counts[column] = values
    label = pd.to_numeric(table["growth_rate"], errors="coerce").to_numpy(dtype=np.float64)
    bad_label = ~np.isfinite(label)
    if bad_label.any():
        index = int(np.argmax(bad_label))
        row = index + 1  # counted from 1, as a spreadsheet does
        raise DataError(
            f"row {row}: growth_rate is {table['growth_rate'].iloc[index]!r}, expected a number",
            row=row,
            column="growth_rate",
            **where,
        )
    sequences = table["UTR"].fillna("")
    lengths = sequences.str.len().to_numpy(dtype=np.int64)
    wrong_length = (lengths < lib.min_length) | (lengths > lib.max_length)
    if wrong_length.any():
        index = int(np.argmax(wrong_length))
        row = index + 1  # counted from 1, as a spreadsheet does
        expected = (
            str(lib.min_length)
            if lib.min_length == lib.max_length
            else f"{lib.min_length}–{lib.max_length}"
        )
        raise DataError(
            f"row {row}: sequence length {lengths[index]}, expected {expected}",
            row=row,
            column="UTR",
            **where,
        )
    not_acgt = ~sequences.str.fullmatch("[ACGT]+").fillna(False).to_numpy(dtype=bool)
    if not_acgt.any():
        index = int(np.argmax(not_acgt))
        row = index + 1  # counted from 1, as a spreadsheet does
        raise DataError(
            f"row {row}: sequence {sequences.iloc[index]!r} has letters other than A, C, G, T",
            row=row,
            column="UTR",
            **where,
        )
    t0 = counts["t0"] + 1.0
    t1 = counts["t1"] + 1.0
    expected_label = np.log(t1 / t1.sum()) - np.log(t0 / t0.sum())
    residual = np.abs(label - expected_label)
    worst_index = int(np.argmax(residual))
    worst = worst_index + 1  # counted from 1
    max_residual = float(residual[worst_index])
    if max_residual > LABEL_TOLERANCE:
        raise DataError(
            "growth_rate does not follow the label identity "
            "ln(((t1+1)/Σ(t1+1)) / ((t0+1)/Σ(t0+1))): "
            f"max residual {max_residual:.3g} at row {worst}",
            row=worst,
            max_residual=max_residual,
            **where,
        )
    return {
        "library": lib.name,
        "rows": rows,
        "max_residual": max_residual,
        "offset": float(np.log(t0.sum() / t1.sum())),
        "min_length": int(lengths.min()),
        "max_length": int(lengths.max()),
    }
