"""Lists at scale: a page of experiments costs the same however large the project.

Builds, through the REST API of a real `kozak up` process, a project of `--experiments`
experiments (clones of one, `--trained` of them trained by the server's worker), a reference
project of `--reference` experiments, and `--projects` projects in all; then measures, on SQLite
and on PostgreSQL (`--pg-url`, a fresh schema dropped afterwards):

- a list page of 100 (`GET …/experiments?limit=100`, in the default order and sorted by best)
  in the large and in the reference project: p50 and p95, and the ratio of the p50s;
- single-experiment GETs idle, and while `--listers` clients list pages as fast as they are
  answered and `--getters` others fetch single experiments, `--get-rate` a second each, in
  alternating windows: the ratio of the GETs' p95s;
- with Debian's chromium (when present, and the UI is built): the Evaluation view's first rows
  after navigation, and the projects page complete (cards and recent experiments).

Prints a table, then, last, one JSON line: `{"experiments", "projects", "databases": {db:
{list_p50_ms, list_p95_ms, size_ratio, concurrent_get_p95_ratio, ui_first_rows_s, ...}}}`.

    .venv/bin/python benchmarks/scale.py --experiments 10000 --projects 500
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from rich.console import Console
from rich.table import Table
from sqlalchemy import create_engine, text

from kozak.client import Client
from kozak.errors import NetworkError
from kozak.server.static import STATIC_DIR

PASSWORD = "scale-benchmark"
CHROMIUM = Path("/usr/bin/chromium")
PAGE = 100
console = Console(stderr=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def server(
    home: Path, database_url: str, workers: int, settings: dict[str, str] | None = None
) -> Iterator[str]:
    """A `kozak up` process on a free port, with these `KOZAK_*` `settings` too; its URL."""
    port = _free_port()
    env = {
        **os.environ,
        "KOZAK_HOME": str(home),
        "KOZAK_ADMIN_PASSWORD": PASSWORD,
        "KOZAK_WORKERS": str(workers),
        **({"KOZAK_DATABASE_URL": database_url} if database_url else {}),
        **(settings or {}),
    }
    home.mkdir(parents=True, exist_ok=True)
    with (home.parent / f"server-{port}.log").open("wb") as log:
        command = [sys.executable, "-m", "kozak", "up", "--port", str(port), "--no-example"]
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                Client(url, "none").health()
                break
            except NetworkError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"the server did not start; see {home.parent}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def postgres_schema(base_url: str) -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped afterwards."""
    schema = f"kozak_scale_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _tiny_csv(folder: Path) -> Path:
    rng = random.Random(0)
    rows = ["seq,expression"] + [
        f"{''.join(rng.choice('ACGT') for _ in range(12))},{rng.random():.4f}" for _ in range(40)
    ]
    path = folder / "tiny.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


GRAPH = {
    "name": "dense",
    "nodes": [
        {"id": "seq", "type": "input", "params": {"feature": "seq"}},
        {"id": "flatten", "type": "flatten", "params": {}},
        {"id": "out", "type": "dense", "params": {"units": 1, "activation": "linear"}},
        {"id": "expression", "type": "target", "params": {"feature": "expression"}},
    ],
    "edges": [
        {"src": "seq", "dst": "flatten"},
        {"src": "flatten", "dst": "out"},
        {"src": "out", "dst": "expression"},
    ],
}


def _clones(client: Client, project: str, seed: str, count: int, prefix: str) -> list[str]:
    """`count` clones of `seed` through the API, four requests at a time; their ids."""
    url = f"/projects/{project}/experiments/{seed}/clone"

    def one(i: int) -> str:
        return str(client.post(url, {"name": f"{prefix}-{i:05d}"})["id"])

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(count)))


def build(
    client: Client, folder: Path, experiments: int, reference: int, projects: int, trained: int
) -> dict[str, Any]:
    """The workspace, through the API: the large project, the reference one, the rest."""
    started = time.monotonic()
    large = client.create_project("Scale", "The large project")
    version = large.create_dataset("Tiny", [_tiny_csv(folder)], encoding={"seq": {"length": 12}})
    choices = {
        "dataset_version_id": version["id"],
        "graph": GRAPH,
        "settings": {"epochs": 2, "batch_size": 8},
    }
    seed = large.create_experiment("seed", **choices)
    ids = [seed["id"], *_clones(client, large.id, seed["id"], experiments - 1, "clone")]
    for experiment_id in ids[:trained]:
        large.run(experiment_id)
    small = client.create_project("Reference", "The reference project")
    small_version = small.create_dataset("Tiny", [_tiny_csv(folder)], encoding={"seq": {"length": 12}})
    small_seed = small.create_experiment(
        "seed", **{**choices, "dataset_version_id": small_version["id"]}
    )
    small_ids = [small_seed["id"], *_clones(client, small.id, small_seed["id"], reference - 1, "clone")]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda i: client.create_project(f"project-{i:04d}"), range(projects - 2)))
    deadline = time.monotonic() + 600
    while trained and time.monotonic() < deadline:
        active = client.get(f"/projects/{large.id}/jobs", params={"status": ["queued", "running"]})
        if active["count"] == 0:
            break
        time.sleep(1)
    return {
        "large": large.id,
        "small": small.id,
        "large_ids": ids,
        "small_ids": small_ids,
        "build_s": time.monotonic() - started,
    }


def _timed(call: Callable[[], Any], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return times


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_lists(http: httpx.Client, built: dict[str, Any], repeat: int) -> dict[str, float]:
    def page(project: str, sort: str) -> Callable[[], Any]:
        def call() -> None:
            answer = http.get(
                f"/api/projects/{project}/experiments", params={"limit": PAGE, "sort": sort}
            )
            answer.raise_for_status()

        return call

    figures: dict[str, float] = {}
    for sort in ("", "best"):
        large: list[float] = []
        small: list[float] = []
        for _ in range(repeat):  # interleaved, so a change of load affects both alike
            large += _timed(page(built["large"], sort), 1)
            small += _timed(page(built["small"], sort), 1)
        key = sort or "created"
        figures[f"list_{key}_p50_ms"] = statistics.median(large)
        figures[f"list_{key}_p95_ms"] = _p(large, 0.95)
        figures[f"small_{key}_p50_ms"] = statistics.median(small)
        figures[f"size_ratio_{key}"] = statistics.median(large) / statistics.median(small)
    figures["list_p50_ms"] = max(figures["list_created_p50_ms"], figures["list_best_p50_ms"])
    figures["list_p95_ms"] = max(figures["list_created_p95_ms"], figures["list_best_p95_ms"])
    figures["size_ratio"] = max(figures["size_ratio_created"], figures["size_ratio_best"])
    return figures


class _Connection:
    """A keep-alive HTTP/1.1 connection that sends GETs and reads answers with Content-Length.

    The load generator shares this machine's cores with the server, so its own work would be
    counted against the server: this one costs about 0.07 ms of CPU a page.
    """

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self._socket = socket.create_connection((parts.hostname, parts.port))
        self._socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self._head = f"HTTP/1.1\r\nHost: {parts.netloc}\r\n{extra}\r\n"
        self._pending = b""

    def get(self, path: str) -> int:
        """GET `path`; the status (the body is read and dropped)."""
        self._socket.sendall(f"GET {path} {self._head}".encode())
        data = self._pending
        while (end := data.find(b"\r\n\r\n")) < 0:
            data += self._receive()
        lines = data[:end].decode("latin-1").split("\r\n")
        fields = dict(line.lower().split(":", 1) for line in lines[1:])
        done = end + 4 + int(fields["content-length"])
        while len(data) < done:
            data += self._receive()
        self._pending = data[done:]
        return int(lines[0].split()[1])

    def _receive(self) -> bytes:
        chunk = self._socket.recv(1 << 16)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        return chunk

    def close(self) -> None:
        self._socket.close()


def _list_pages(
    url: str,
    headers: dict[str, str],
    project: str,
    clients: int,
    events: tuple[Any, Any, Any],
    listed: Any,
) -> None:
    """`clients` threads listing pages of `project` while `go` is set, until `stop` (after
    setting `ready`); the pages listed into `listed`."""
    ready, go, stop = events
    pages = [0]

    def lister() -> None:
        http = _Connection(url, headers)
        while not stop.is_set():
            if not go.wait(timeout=1):
                continue
            sort = random.choice(["", "best", "-updated", "name"])
            status = http.get(f"/api/projects/{project}/experiments?limit={PAGE}&sort={sort}")
            assert status == 200, status
            pages[0] += 1
        http.close()

    threads = [threading.Thread(target=lister) for _ in range(clients)]
    for thread in threads:
        thread.start()
    ready.set()
    for thread in threads:
        thread.join()
    listed.value = pages[0]


# The idle p95 is the ratio's denominator: of 100 GETs it is the fifth slowest, and on one quiet
# machine it read 1.9 to 4.6 ms in runs a minute apart.
IDLE_GETS = 1000
# Idle and busy windows alternate, so that the machine's own drift affects both alike: on a
# shared 2-core VM the idle p95 alone read 3.2 to 5.8 ms, one measurement a few minutes apart.
CYCLES = 5
DRAIN_S = 0.5  # after a busy window, for the pages still being computed


def measure_concurrency(
    url: str,
    token: str,
    built: dict[str, Any],
    listers: int,
    getters: int,
    get_rate: float,
    seconds: float,
) -> dict[str, float]:
    """Single-experiment GET p95 idle, and while `listers` clients list pages; their ratio.

    `CYCLES` times: `IDLE_GETS / CYCLES` GETs in a row on the idle server, then `seconds /
    CYCLES` of load. The listing clients run in a process of their own, as other people's
    clients would: in this one their Python work would hold the lock the timed GETs' threads
    need, and the timings would include waiting for it. The `getters` GET at `get_rate` each, as
    people opening experiments do: back-to-back GETs would be a load of their own (four of them,
    with no one listing, already put the p95 at 3.8 times the idle one on a 2-core machine), and
    the ratio would measure them, not the lists.
    """
    headers = {"Authorization": f"Bearer {token}"}
    ids = built["large_ids"]
    project = built["large"]

    def get_one(http: _Connection) -> float:
        started = time.perf_counter()
        status = http.get(f"/api/projects/{project}/experiments/{random.choice(ids)}")
        assert status == 200, status
        return (time.perf_counter() - started) * 1000

    idle: list[float] = []
    busy: list[float] = []
    context = multiprocessing.get_context("spawn")
    ready, go, stop = context.Event(), context.Event(), context.Event()

    def getter() -> None:
        http = _Connection(url, headers)
        while not stop.is_set():
            if not go.wait(timeout=1):
                continue
            due = time.perf_counter() + random.random() / get_rate  # the getters out of step
            while True:
                time.sleep(max(0.0, due - time.perf_counter()))
                if not go.is_set():
                    break
                due += 1 / get_rate
                busy.append(get_one(http))
        http.close()

    listed = context.Value("l", 0)
    process = context.Process(
        target=_list_pages, args=(url, headers, project, listers, (ready, go, stop), listed)
    )
    process.start()
    threads = [threading.Thread(target=getter) for _ in range(getters)]
    for thread in threads:
        thread.start()
    ready.wait(timeout=120)
    http = _Connection(url, headers)
    for _ in range(CYCLES):
        idle += [get_one(http) for _ in range(IDLE_GETS // CYCLES)]
        go.set()
        time.sleep(seconds / CYCLES)
        go.clear()
        time.sleep(DRAIN_S)
    http.close()
    stop.set()
    for thread in threads:
        thread.join()
    process.join()
    pages = listed.value
    return {
        "idle_get_p50_ms": _p(idle, 0.5),
        "idle_get_p95_ms": _p(idle, 0.95),
        "concurrent_get_p50_ms": _p(busy, 0.5),
        "concurrent_get_p95_ms": _p(busy, 0.95),
        "concurrent_get_p95_ratio": _p(busy, 0.95) / _p(idle, 0.95),
        "concurrent_gets_per_s": len(busy) / seconds,
        "concurrent_lists_per_s": pages / seconds,
    }


def measure_browser(url: str, built: dict[str, Any], repeat: int) -> dict[str, float]:
    """Seconds to the Evaluation view's first rows and to the complete projects page (median);
    nothing with `--browser-repeat 0`."""
    if repeat < 1:
        return {}
    if not CHROMIUM.exists() or not (STATIC_DIR / "index.html").exists():
        console.print("[yellow]no chromium or no built UI: browser figures skipped")
        return {}
    from playwright.sync_api import expect, sync_playwright

    first_rows, projects_page = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--disable-gpu"])
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto("/")
        page.get_by_label("User name").fill("admin")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("heading", name="Projects")).to_be_visible(timeout=30_000)
        for _ in range(repeat):
            page.goto("about:blank")
            started = time.perf_counter()
            page.goto(f"/projects/{built['large']}/evaluation")
            page.locator("tr[data-experiment]").first.wait_for(timeout=30_000)
            first_rows.append(time.perf_counter() - started)
            page.goto("about:blank")
            started = time.perf_counter()
            page.goto("/")
            page.get_by_label("Open project Scale").wait_for(timeout=30_000)
            page.get_by_text("clone-", exact=False).first.wait_for(timeout=30_000)
            projects_page.append(time.perf_counter() - started)
        browser.close()
    return {
        "ui_first_rows_s": statistics.median(first_rows),
        "ui_projects_page_s": statistics.median(projects_page),
    }


def settle(database_url: str) -> None:
    """VACUUM ANALYZE after the bulk build, so PostgreSQL is measured in its steady state rather
    than while autovacuum catches up with 10,000 new rows (an idle GET's p95 was 21.7 ms then,
    ~5 ms on a settled schema)."""
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()


def run(database: str, database_url: str, args: argparse.Namespace, folder: Path) -> dict[str, float]:
    with server(folder / database / "home", database_url, workers=1 if args.trained else 0) as url:
        client = Client(url, "none")
        token = client.login("admin", PASSWORD)
        console.print(
            f"[bold]{database}[/]: building {args.experiments} experiments, {args.projects} projects ..."
        )
        built = build(client, folder, args.experiments, args.reference, args.projects, args.trained)
        console.print(
            f"  built in {built['build_s']:.0f} s "
            f"({args.experiments / built['build_s']:.0f} experiments/s)"
        )
        if database_url:
            settle(database_url)
        with httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as http:
            _timed(lambda: http.get(f"/api/projects/{built['large']}/experiments"), 5)  # warm-up
            figures = measure_lists(http, built, args.repeat)
        figures.update(
            measure_concurrency(
                url, token, built, args.listers, args.getters, args.get_rate, args.seconds
            )
        )
        figures.update(measure_browser(url, built, args.browser_repeat))
        figures["build_s"] = built["build_s"]
        return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument(
        "--reference", type=int, default=100, help="experiments of the reference project"
    )
    parser.add_argument("--projects", type=int, default=500)
    parser.add_argument("--trained", type=int, default=3, help="experiments the worker trains")
    parser.add_argument("--repeat", type=int, default=60, help="list calls per figure")
    parser.add_argument("--listers", type=int, default=16, help="clients listing pages")
    parser.add_argument("--getters", type=int, default=4, help="clients fetching experiments")
    parser.add_argument("--get-rate", type=float, default=25, help="GETs/s of each getter")
    parser.add_argument("--seconds", type=float, default=15, help="of concurrent load")
    parser.add_argument("--browser-repeat", type=int, default=5)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get(
            "KOZAK_BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="kozak-scale-") as tmp:
        folder = Path(tmp)
        for database in args.databases.split(","):
            if database == "sqlite":
                results[database] = run(database, "", args, folder)
            else:
                with postgres_schema(args.pg_url) as url:
                    results[database] = run(database, url, args, folder)
    table = Table(
        title=f"A page of {PAGE}: {args.experiments} vs {args.reference} experiments, "
        f"{args.projects} projects"
    )
    table.add_column("figure")
    for database in results:
        table.add_column(database, justify="right")
    for key in results[next(iter(results))]:
        table.add_row(key, *(f"{results[db].get(key, float('nan')):.2f}" for db in results))
    console.print(table)
    summary = {
        "experiments": args.experiments,
        "reference": args.reference,
        "projects": args.projects,
        "databases": {
            db: {k: round(v, 3) for k, v in figures.items()} for db, figures in results.items()
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
