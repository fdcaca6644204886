"""The reader registry and the checks every reader shares (size limits, empty file, UTF-8).

Every reader gets the import's `InflateBudget`, through which anything compressed is inflated.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from kozak.data.formats.inflate import InflateBudget
from kozak.data.table import RawTable, Source, combine, digest_bytes
from kozak.errors import DataError, LimitExceeded
from kozak.registry import Registry
from kozak.settings import Settings

Reader = Callable[[bytes, str, InflateBudget], RawTable]
READERS: Registry[Reader] = Registry("file format")
GZIP_MAGIC = b"\x1f\x8b"


def extension_of(name: str) -> str:
    """A file name's extension, lower case and without the dot (`.gz` is looked through)."""
    lower = name.lower().removesuffix(".gz")
    return lower.rsplit(".", 1)[-1] if "." in lower else ""


def format_of(name: str) -> str:
    """The registered format for a file name, by extension (`.gz` is looked through)."""
    suffix = extension_of(name)
    for fmt, extensions in EXTENSIONS.items():
        if suffix in extensions:
            return fmt
    known = ", ".join(sorted(e for exts in EXTENSIONS.values() for e in exts))
    raise DataError(f"{name}: unknown file type {suffix or '(none)'!r}; known: {known}", file=name)


# The one table of file extensions: every reader, and file predictions, choose by it.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "csv": ("csv", "tsv", "txt", "tab"),
    "parquet": ("parquet", "pq"),
    "npy": ("npy",),
    "npz": ("npz",),
    "fasta": ("fasta", "fa", "fna", "ffn", "faa", "fas"),
    "zip": ("zip",),
}
TAB_SEPARATED = ("tsv", "tab")  # delimited text whose extension says tabs (others: commas)


def separator_of(name: str) -> str:
    """The separator a delimited text file's extension says, where the content is not sniffed."""
    return "\t" if extension_of(name) in TAB_SEPARATED else ","


def load_bytes(path: Path, settings: Settings, budget: InflateBudget, name: str) -> tuple[bytes, bytes]:
    """(the file as stored, its content gunzipped when compressed), within the size limits;
    errors call it `name`."""
    if not path.is_file():
        raise DataError(f"{path}: no such file", file=str(path))
    size = path.stat().st_size
    if size > settings.max_upload_bytes:
        raise LimitExceeded(
            f"{name} is {size} bytes, over the limit of {settings.max_upload_bytes} "
            "(KOZAK_MAX_UPLOAD_BYTES)",
            file=name,
            bytes=size,
            limit=settings.max_upload_bytes,
        )
    raw = data = path.read_bytes()
    if raw[:2] == GZIP_MAGIC:
        data = budget.gunzip(raw, name)
    if not data or data.isspace():
        raise DataError(f"{name} is empty", file=name)
    return raw, data


def check_utf8(data: bytes, name: str) -> None:
    """Raise `DataError` naming the line and byte of the first invalid UTF-8 sequence."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(
            f"{name} is not UTF-8 text: byte {data[exc.start]:#04x} on line {line} cannot be "
            "decoded; save the file as UTF-8",
            file=name,
            line=line,
        ) from None


def read_file(
    path: Path, settings: Settings, *, name: str | None = None, budget: InflateBudget | None = None
) -> RawTable:
    """Read one local file with the reader its extension names.

    Args:
        path: The file.
        settings: The size limits.
        name: The name to report (default: the file's).
        budget: The import's inflation budget, when it spans several files; default a new one.
    """
    display = name or path.name
    fmt = format_of(display)
    budget = budget or InflateBudget(settings)
    raw, data = load_bytes(path, settings, budget, display)
    table = READERS.get(fmt)(data, display, budget)
    return RawTable(table.columns, [Source(display, fmt, len(raw), digest_bytes(raw))])


def read_files(paths: Sequence[Path | str], settings: Settings) -> RawTable:
    """Read files (or http(s) URLs), within one inflation budget, and combine them column-wise."""
    from kozak.data.download import fetch_to_cache

    if not paths:
        raise DataError("no files given")
    budget = InflateBudget(settings)
    tables = []
    for item in paths:
        text = str(item)
        if text.startswith(("http://", "https://")):
            local, name = fetch_to_cache(text, settings)
            tables.append(read_file(local, settings, name=name, budget=budget))
        else:
            tables.append(read_file(Path(item), settings, budget=budget))
    return tables[0] if len(tables) == 1 else combine(tables)
