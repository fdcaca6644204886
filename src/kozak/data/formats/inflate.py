"""One budget of inflated bytes per import, shared by every decompression and archive member.

`InflateBudget` counts what an import expands to (gzip content, ZIP and NPZ members, the arrays a
bundle assembles) against `max_inflated_bytes`, and refuses a compressed stream that grows more
than `max_zip_expansion` times its compressed size (past its first MiB). It inflates in chunks and
stops at the first chunk over a limit, so refusing a bomb costs little memory. A member is read
once per import, however often an index names it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from typing import cast

from isal import isal_zlib

from kozak.errors import DataError, ExpansionLimit
from kozak.settings import Settings

IN_CHUNK = 1 << 20
OUT_CHUNK = 4 << 20
RATIO_FLOOR = 1 << 20  # below this much output, headers and tiny files make ratios meaningless
ZIP_ERRORS: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    OSError,
    ValueError,
    RuntimeError,  # an encrypted member
    NotImplementedError,  # an unsupported compression method
)
GZIP_ERRORS: tuple[type[BaseException], ...] = (cast(type[BaseException], isal_zlib.error), EOFError)


class InflateBudget:
    """The inflated bytes one import may produce, and the ratio any compressed part may reach."""

    def __init__(self, settings: Settings) -> None:
        self.limit = settings.max_inflated_bytes
        self.ratio = settings.max_zip_expansion
        self.used = 0

    def charge(self, size: int, name: str) -> None:
        """Count `size` more inflated bytes for file `name`.

        Raises:
            ExpansionLimit: when the import's total goes over `max_inflated_bytes`.
        """
        self.used += size
        if self.used > self.limit:
            raise self._over_budget(name)

    def _over_budget(self, name: str) -> ExpansionLimit:
        return ExpansionLimit(
            f"{name} expands to more than {self.limit} bytes, the limit of one import; if the "
            "data is genuine, raise KOZAK_MAX_INFLATED_BYTES (or import it uncompressed)",
            file=name,
            limit=self.limit,
            setting="KOZAK_MAX_INFLATED_BYTES",
        )

    def check_ratio(self, inflated: int, compressed: int, name: str) -> None:
        """Refuse a stream that has grown `inflated` bytes from `compressed` beyond the ratio.

        Raises:
            ExpansionLimit: naming `max_zip_expansion`.
        """
        if inflated > RATIO_FLOOR and inflated > self.ratio * max(compressed, 1):
            raise ExpansionLimit(
                f"{name} expands more than {self.ratio} times its compressed size, like a "
                "decompression bomb; if the data is genuine, raise KOZAK_MAX_ZIP_EXPANSION",
                file=name,
                ratio=self.ratio,
                setting="KOZAK_MAX_ZIP_EXPANSION",
            )

    def gunzip(self, data: bytes, name: str) -> bytes:
        """Every gzip member of `data`, inflated within the budget and the ratio.

        Raises:
            ExpansionLimit: over either limit.
            DataError: the data is not valid gzip (truncated, corrupt).
        """
        view = memoryview(data)
        parts: list[bytes] = []
        position = produced = 0

        def take(part: bytes, consumed: int) -> None:
            nonlocal produced
            produced += len(part)
            self.check_ratio(produced, consumed, name)
            self.charge(len(part), name)
            parts.append(part)

        try:
            while position < len(view):
                # ISA-L inflates about twice as fast as zlib; one inflater per gzip member.
                inflater = isal_zlib.decompressobj(wbits=16 + isal_zlib.MAX_WBITS)
                while not inflater.eof:
                    end = min(position + IN_CHUNK, len(view))
                    piece: bytes | memoryview = view[position:end]
                    if not piece:  # out of input: only output held back by OUT_CHUNK may remain
                        if not (part := inflater.decompress(b"", OUT_CHUNK)):
                            raise EOFError("the compressed data is truncated")
                        take(part, end)
                    while piece and not inflater.eof:
                        part = inflater.decompress(piece, OUT_CHUNK)
                        piece = inflater.unconsumed_tail
                        take(part, end - len(piece))
                    position = end - len(inflater.unused_data) if inflater.eof else end
                while position < len(view) and view[position] == 0:  # padding between members
                    position += 1
        except GZIP_ERRORS as exc:
            raise DataError(f"{name}: not a valid gzip file ({exc})", file=name) from exc
        return b"".join(parts)

    def open_archive(self, data: bytes, name: str, kind: str) -> Archive:
        """`data` as a ZIP archive whose declared sizes fit the limits.

        Raises:
            DataError: not a readable archive of `kind` (e.g. "ZIP", ".npz").
            ExpansionLimit: its members declare more than the budget or the ratio allows.
        """
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except ZIP_ERRORS as exc:
            raise DataError(f"{name}: not a valid {kind} file ({exc})", file=name) from exc
        declared = sum(member.file_size for member in archive.infolist())
        self.check_ratio(declared, len(data), name)
        if self.used + declared > self.limit:  # refused early; reads charge what really inflates
            raise self._over_budget(name)
        return Archive(self, archive, len(data), name)


class Archive:
    """A ZIP archive read within an import's budget; each member is inflated at most once."""

    def __init__(self, budget: InflateBudget, archive: zipfile.ZipFile, size: int, name: str) -> None:
        self.budget, self.zip, self.size, self.name = budget, archive, size, name
        self._read: dict[str, bytes] = {}

    def names(self) -> list[str]:
        """Every member's path, in archive order."""
        return self.zip.namelist()

    def read(self, path: str) -> bytes:
        """The content of member `path`, counted as it is inflated (declared sizes may lie).

        Raises:
            ExpansionLimit: over the budget or the ratio.
            DataError: the member is corrupt, encrypted or compressed with an unsupported method.
        """
        if path in self._read:
            return self._read[path]
        where = f"{self.name}:{path}"
        info = self.zip.getinfo(path)
        # The member's compressed bytes cannot exceed the archive, whatever its header says.
        compressed = min(info.compress_size, self.size)
        parts: list[bytes] = []
        produced = 0
        try:
            with self.zip.open(info) as stream:
                while part := stream.read(OUT_CHUNK):
                    produced += len(part)
                    self.budget.check_ratio(produced, compressed, where)
                    self.budget.charge(len(part), where)
                    parts.append(part)
        except ZIP_ERRORS as exc:
            raise DataError(
                f"{where}: cannot read this member ({exc}); store it unencrypted, with deflate "
                "or no compression",
                file=self.name,
                member=path,
            ) from exc
        self._read[path] = content = b"".join(parts)
        return content


__all__ = ["Archive", "InflateBudget"]
