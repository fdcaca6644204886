"""Fetching and checking the Cuperus 2017 yeast libraries, against a local Range-capable server."""

from __future__ import annotations

import dataclasses
import gzip
import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pytest

from kozak.errors import DataError, NetworkError
from kozak.examples import yeast_data
from kozak.examples.yeast_data import download, from_file, validate
from kozak.settings import Settings

ROWS = 500
REAL_NATIVE = yeast_data.LIBRARIES["native"]


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves `files`; honours ``Range: bytes=a-``; can cut the first answer short."""

    files: ClassVar[dict[str, bytes]] = {}
    requests: ClassVar[list[dict[str, str | None]]] = []
    cut_after: ClassVar[dict[str, int]] = {}  # path -> bytes sent before closing, once
    ignore_range: ClassVar[bool] = False
    keep_cutting: ClassVar[bool] = False

    def do_GET(self) -> None:
        range_header = self.headers.get("Range")
        type(self).requests.append({"path": self.path, "range": range_header})
        body = self.files.get(self.path)
        if body is None:
            self.send_error(404)
            return
        start = 0
        if range_header and not self.ignore_range:
            start = int(range_header.removeprefix("bytes=").split("-")[0])
        chunk = body[start:]
        if start:
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(len(chunk)))
        self.end_headers()
        cuts = type(self).cut_after
        cut = cuts.get(self.path) if self.keep_cutting else cuts.pop(self.path, None)
        if cut is not None:
            self.wfile.write(chunk[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(chunk)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[tuple[str, type[_Handler]]]:
    handler = type("Handler", (_Handler,), {"files": {}, "requests": [], "cut_after": {}})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", download_timeout_s=5.0)


@pytest.fixture(autouse=True)
def small_libraries(monkeypatch: pytest.MonkeyPatch) -> None:
    """Expect ROWS rows in each library so fixtures stay tiny."""
    for name, lib in list(yeast_data.LIBRARIES.items()):
        monkeypatch.setitem(yeast_data.LIBRARIES, name, dataclasses.replace(lib, rows=ROWS))


def random_table(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    utr = ["".join(rng.choice(list("ACGT"), 50)) for _ in range(rows)]
    t0 = rng.integers(0, 200, rows)
    t1 = rng.integers(0, 200, rows)
    label = np.log((t1 + 1) / (t1 + 1).sum()) - np.log((t0 + 1) / (t0 + 1).sum())
    return pd.DataFrame({"UTR": utr, "growth_rate": label, "t0": t0, "t1": t1})


def gz(table: pd.DataFrame) -> bytes:
    return gzip.compress(table.to_csv().encode(), mtime=0)


def cache_names(settings: Settings) -> list[str]:
    folder = settings.home / "cache" / "yeast"
    return sorted(p.name for p in folder.glob("*")) if folder.exists() else []


FINAL = "GSM2793752_Random_UTRs.csv.gz"


def test_good_file_downloads_validates_and_is_cached(
    server: tuple[str, type[_Handler]], settings: Settings
) -> None:
    base, handler = server
    body = gz(random_table())
    handler.files["/r.csv.gz"] = body
    seen: list[tuple[int, int | None]] = []
    path = download(
        "random", settings, url=f"{base}/r.csv.gz", progress=lambda d, t: seen.append((d, t))
    )
    assert path.name == FINAL and path.read_bytes() == body
    assert cache_names(settings) == [FINAL]
    assert seen[-1] == (len(body), len(body))
    assert download("random", settings, url=f"{base}/r.csv.gz") == path
    assert len(handler.requests) == 1


def test_interrupted_download_resumes_with_range(
    server: tuple[str, type[_Handler]], settings: Settings
) -> None:
    base, handler = server
    body = gz(random_table())
    assert len(body) > 4000
    handler.files["/r.csv.gz"] = body
    handler.cut_after["/r.csv.gz"] = 3000
    path = download("random", settings, url=f"{base}/r.csv.gz")
    assert path.read_bytes() == body
    assert [r["range"] for r in handler.requests] == [None, "bytes=3000-"]
    assert cache_names(settings) == [FINAL]


def test_download_dropped_repeatedly_keeps_the_part_for_the_next_call(
    server: tuple[str, type[_Handler]], settings: Settings
) -> None:
    base, handler = server
    body = gz(random_table())
    handler.files["/r.csv.gz"] = body
    handler.cut_after["/r.csv.gz"] = 2000
    handler.keep_cutting = True
    with pytest.raises(NetworkError, match="run the command again to resume"):
        download("random", settings, url=f"{base}/r.csv.gz")
    assert cache_names(settings) == [FINAL + ".part"]
    handler.keep_cutting = False
    handler.cut_after.clear()
    assert download("random", settings, url=f"{base}/r.csv.gz").read_bytes() == body
    assert [r["range"] for r in handler.requests] == [None, "bytes=2000-", "bytes=4000-", "bytes=6000-"]


def test_server_ignoring_range_restarts(server: tuple[str, type[_Handler]], settings: Settings) -> None:
    base, handler = server
    body = gz(random_table())
    handler.files["/r.csv.gz"] = body
    handler.ignore_range = True
    part = settings.home / "cache" / "yeast" / (FINAL + ".part")
    part.parent.mkdir(parents=True)
    part.write_bytes(b"stale bytes from another file")
    path = download("random", settings, url=f"{base}/r.csv.gz")
    assert path.read_bytes() == body
    assert handler.requests[0]["range"] == f"bytes={len(b'stale bytes from another file')}-"


def _bad_files() -> list[tuple[str, bytes, str]]:
    good = random_table()
    short_seq = good.copy()
    short_seq.loc[17, "UTR"] = str(short_seq.loc[17, "UTR"])[:49]
    wrong_label = good.copy()
    wrong_label["growth_rate"] = wrong_label["growth_rate"] + np.where(np.arange(ROWS) == 5, 0.3, 0.0)
    return [
        ("truncated", gz(good)[:-200], "truncated gzip"),
        ("rows", gz(random_table(rows=400)), "has 400 rows, expected 500"),
        ("short", gz(short_seq), "row 18: sequence length 49, expected 50"),  # counted from 1
        ("label", gz(wrong_label), r"label identity.*max residual 0\.3 at row 6"),
    ]


@pytest.mark.parametrize(
    ("name", "body", "message"), _bad_files(), ids=["truncated", "rows", "short-seq", "label"]
)
def test_bad_download_is_rejected_naming_the_check(
    server: tuple[str, type[_Handler]], settings: Settings, name: str, body: bytes, message: str
) -> None:
    base, handler = server
    handler.files[f"/{name}"] = body
    with pytest.raises(DataError, match=message):
        download("random", settings, url=f"{base}/{name}")
    assert cache_names(settings) == []


def test_bad_user_file_is_rejected(tmp_path: Path, settings: Settings) -> None:
    table = random_table()
    table.loc[3, "UTR"] = "N" * 50
    copy = tmp_path / "copy.csv.gz"
    copy.write_bytes(gz(table))
    with pytest.raises(DataError, match=r"row 4: sequence 'N+' has letters other than"):
        from_file("random", copy, settings)
    assert cache_names(settings) == []


def test_good_user_file_is_cached(tmp_path: Path, settings: Settings) -> None:
    copy = tmp_path / "copy.csv.gz"
    copy.write_bytes(gz(random_table()))
    path = from_file("random", copy, settings)
    assert path.name == FINAL and path.read_bytes() == copy.read_bytes()
    assert cache_names(settings) == [FINAL]


def test_unreachable_server_is_a_network_error(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(NetworkError, match="cannot reach") as info:
        download("random", settings, url=f"http://127.0.0.1:{port}/r.csv.gz")
    assert "--from-file PATH" in info.value.message and "--synthetic" in info.value.message
    assert cache_names(settings) == []


def test_http_error_status_is_a_network_error(
    server: tuple[str, type[_Handler]], settings: Settings
) -> None:
    base, _ = server
    with pytest.raises(NetworkError, match="404"):
        download("random", settings, url=f"{base}/absent")


def test_real_native_library_validates(
    native_utrs: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(yeast_data.LIBRARIES, "native", REAL_NATIVE)  # expect 11,856 rows
    path = from_file("native", native_utrs, settings)
    figures = validate("native", path)
    assert figures["rows"] == 11_856
    assert figures["max_residual"] < 1e-6
    assert figures["offset"] == pytest.approx(0.16085, abs=1e-4)
    assert (figures["min_length"], figures["max_length"]) == (2, 50)
