"""Decompression bombs against a real `kozak up`: each refused, and the server's peak memory.

Builds (untimed) the review's three bombs — a ZIP bundle whose index names one `.npy` member
100,000 times, an NPZ of several 2 GiB members, a ~2 MB gzip that inflates to 2 GiB — plus a
genuine control upload, starts `python -m kozak up` on a free port, uploads each into a draft and
reads the server process's peak resident memory while it answers (VmHWM, reset through
/proc/<pid>/clear_refs before each upload). The goal: every bomb refused with a 422, and peak RSS
under the inflation budget plus 200 MB. Run: `.venv/bin/python benchmarks/bombs.py`.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from kozak.client import Client
from kozak.errors import NetworkError

MiB = 1 << 20
GiB = 1 << 30
ZEROS = bytes(16 * MiB)
HEADROOM = 200 * MiB
console = Console(width=120)


def _zeros(total: int) -> Iterator[bytes]:
    for start in range(0, total, len(ZEROS)):
        yield ZEROS[: min(len(ZEROS), total - start)]


def gzip_bomb(path: Path, inflated: int) -> Path:
    """A gzip file of `inflated` bytes of a one-column CSV, deflated at level 9."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as out:
        out.write(packer.compress(b"x\n"))
        for chunk in _zeros(inflated):
            out.write(packer.compress(chunk))
        out.write(packer.flush())
    return path


def _npy_header(size: int) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array_header_2_0(
        buffer, {"descr": "|u1", "fortran_order": False, "shape": (size,)}
    )
    return buffer.getvalue()


def npz_bomb(path: Path, members: int, member_bytes: int) -> Path:
    """An NPZ of `members` arrays of `member_bytes` zeros each, deflated."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for i in range(members):
            with archive.open(f"a{i}.npy", "w", force_zip64=True) as member:
                member.write(_npy_header(member_bytes))
                for chunk in _zeros(member_bytes):
                    member.write(chunk)
    return path


def index_bomb(path: Path, references: int, shape: tuple[int, ...]) -> Path:
    """A Peltarion bundle whose index names one small `.npy` member `references` times."""
    buffer = io.BytesIO()
    np.save(buffer, np.ones(shape, np.float32))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.csv", b"x\n" + b"a.npy\n" * references)
        archive.writestr("a.npy", buffer.getvalue())
    return path


def control(path: Path, rows: int) -> Path:
    """A genuine gzipped CSV of random 50-mers and a measurement."""
    rng = np.random.default_rng(0)
    letters = np.frombuffer(b"ACGT", np.uint8)[rng.integers(0, 4, (rows, 50))]
    values = rng.random(rows)
    pairs = zip(letters, values, strict=True)
    lines = [b"seq,y", *(bytes(row) + f",{v:.4f}".encode() for row, v in pairs)]
    packer = zlib.compressobj(6, zlib.DEFLATED, 31)
    path.write_bytes(packer.compress(b"\n".join(lines) + b"\n") + packer.flush())
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _status(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) * 1024
    raise KeyError(key)


def start_server(home: Path, budget: int) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        **os.environ,
        "KOZAK_HOME": str(home),
        "KOZAK_ADMIN_PASSWORD": "password",
        "KOZAK_WORKERS": "0",
        "KOZAK_MAX_INFLATED_BYTES": str(budget),
    }
    log = (home.parent / "server.log").open("wb")
    command = [sys.executable, "-m", "kozak", "up", "--port", str(port), "--no-example"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            Client(url, "none").health()
            return process, url
        except NetworkError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit(f"the server did not start; see {home.parent / 'server.log'}")


@dataclass
class Upload:
    file: str
    file_bytes: int
    status: int
    code: str
    baseline_rss: int
    peak_rss: int


def upload(client: Client, project: str, pid: int, path: Path) -> Upload:
    """Upload `path` into a fresh draft; the answer and the server's peak RSS meanwhile."""
    draft = client.post(f"/projects/{project}/drafts", {"name": path.stem})["id"]
    baseline = _status(pid, "VmRSS")
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    with path.open("rb") as body:
        answer = client.http.put(
            f"/api/projects/{project}/drafts/{draft}/files/{path.name}", content=body, timeout=600
        )
    peak = _status(pid, "VmHWM")
    error = answer.json().get("error", {}) if answer.status_code >= 400 else {}
    return Upload(
        path.name, path.stat().st_size, answer.status_code, error.get("code", "ok"), baseline, peak
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget-mib", type=int, default=2048, help="KOZAK_MAX_INFLATED_BYTES")
    parser.add_argument("--member-gib", type=float, default=2.0, help="size of each NPZ member")
    parser.add_argument("--members", type=int, default=4, help="NPZ members")
    parser.add_argument("--gzip-gib", type=float, default=2.0, help="what the gzip inflates to")
    args = parser.parse_args()
    budget = args.budget_mib * MiB
    with tempfile.TemporaryDirectory(prefix="kozak-bombs-") as tmp:
        root = Path(tmp)
        console.print("building the bombs (untimed) ...")
        files = [
            index_bomb(root / "index-bomb.zip", 100_000, (4, 1400)),
            npz_bomb(root / "npz-bomb.npz", args.members, int(args.member_gib * GiB)),
            gzip_bomb(root / "gzip-bomb.csv.gz", int(args.gzip_gib * GiB)),
        ]
        genuine = control(root / "control.csv.gz", 200_000)
        process, url = start_server(root / "home", budget)
        try:
            client = Client(url, "none")
            client.login("admin", "password")
            project = client.create_project("Bombs").id
            rows = [upload(client, project, process.pid, path) for path in [genuine, *files]]
        finally:
            process.terminate()
            process.wait(timeout=60)
    limit = budget + HEADROOM
    table = Table(title=f"Bombs against kozak up (budget {budget // MiB} MiB)")
    for column in ("file", "file MB", "status", "code", "RSS before MB", "peak RSS MB", "growth MB"):
        table.add_column(column, justify="left" if column in ("file", "code") else "right")
    for row in rows:
        table.add_row(
            row.file,
            f"{row.file_bytes / MiB:.1f}",
            str(row.status),
            row.code,
            f"{row.baseline_rss / MiB:.0f}",
            f"{row.peak_rss / MiB:.0f}",
            f"{(row.peak_rss - row.baseline_rss) / MiB:.0f}",
        )
    console.print(table)
    bombs = rows[1:]
    refused = all(row.status == 422 for row in bombs)
    within = all(row.peak_rss < limit for row in bombs)
    console.print(
        f"every bomb refused with 422: {refused}; peak RSS under budget + 200 MB "
        f"({limit // MiB} MiB): {within}"
    )
    figures = {"budget_bytes": budget, "limit_bytes": limit, "refused": refused, "within_limit": within}
    print(json.dumps({**figures, "uploads": [asdict(row) for row in rows]}))


if __name__ == "__main__":
    main()
