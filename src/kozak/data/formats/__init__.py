"""File readers: one module per format, registered by file extension.

`read_files(paths, settings)` reads every file (or URL) and combines them column-wise. Every
reader raises `DataError` naming the file (and row, column) for malformed input, and
`LimitExceeded` for files over the configured limits.
"""

from __future__ import annotations

from kozak.data.formats import csv, fasta, numpy, parquet, zipbundle  # noqa: F401  (registers)
from kozak.data.formats.base import READERS, read_file, read_files

__all__ = ["READERS", "read_file", "read_files"]
