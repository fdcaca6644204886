"""The web UI and the API over a lab network: gzip on (`KOZAK_COMPRESS`, the default) and off.

Builds, through the REST API of a real `kozak up` process, a project of `--experiments`
experiments (SQLite), then starts two servers on that workspace, one compressing and one not,
and measures each alike, alternating:

- with Debian's chromium on a network throttled to `--mbit` Mbit/s with `--rtt-ms` of round
  trip (the DevTools protocol's emulation), the Evaluation view's first rows after navigation
  with an empty cache (a first visit: the UI's code and the page) and again with the code cached
  (a later visit), and the bytes the first visit received;
- on localhost, with no throttling, a list page of 100 with `Accept-Encoding: gzip` (p50 over
  `--repeat` calls) and its bytes, against the same page uncompressed: what compressing costs
  the server.

Prints a table, then one JSON line with the figures.

    .venv/bin/python benchmarks/network.py --experiments 2000
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
from rich.console import Console
from rich.table import Table
from scale import CHROMIUM, PAGE, PASSWORD, build, server  # this folder's, the script's own

from kozak.client import Client
from kozak.server.static import STATIC_DIR

console = Console(stderr=True)


def browser_visits(
    playwright: Any, url: str, project: str, mbit: float, rtt_ms: float
) -> dict[str, float]:
    """A first and a later visit to the Evaluation view, throttled: seconds to the first rows,
    and the bytes (headers and bodies as sent) the first visit received."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--disable-gpu"])
    try:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 800})
        answer = context.request.post("/api/auth/login", data={"name": "admin", "password": PASSWORD})
        assert answer.ok, answer.text()
        page = context.new_page()
        received = [0]

        def count(request: Any) -> None:
            sizes = request.sizes()
            received[0] += sizes["responseHeadersSize"] + sizes["responseBodySize"]

        page.on("requestfinished", count)
        network = context.new_cdp_session(page)
        network.send("Network.enable")
        network.send(
            "Network.emulateNetworkConditions",
            {
                "offline": False,
                "latency": rtt_ms,
                "downloadThroughput": mbit * 1e6 / 8,
                "uploadThroughput": mbit * 1e6 / 8,
            },
        )

        def visit() -> float:
            page.goto("about:blank")
            started = time.perf_counter()
            page.goto(f"/projects/{project}/evaluation")
            page.locator("tr[data-experiment]").first.wait_for(timeout=60_000)
            return time.perf_counter() - started

        first = visit()  # an empty cache
        first_kb = received[0] / 1e3
        later = visit()  # the UI's code cached
        return {"first_visit_s": first, "later_visit_s": later, "first_visit_kb": first_kb}
    finally:
        browser.close()


def list_page(url: str, token: str, project: str, encoding: str, repeat: int) -> dict[str, float]:
    """A list page on localhost with this `Accept-Encoding`: p50 ms and kB sent."""
    headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": encoding}
    times, sizes = [], []
    with httpx.Client(base_url=url, headers=headers, timeout=60) as http:
        for _ in range(repeat):
            started = time.perf_counter()
            answer = http.get(f"/api/projects/{project}/experiments?limit={PAGE}")
            times.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200, answer.text
            sizes.append(answer.num_bytes_downloaded)
    return {"list_p50_ms": statistics.median(times), "list_kb": statistics.median(sizes) / 1e3}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--experiments", type=int, default=2000)
    parser.add_argument("--mbit", type=float, default=10, help="throttled bandwidth, each way")
    parser.add_argument("--rtt-ms", type=float, default=20, help="throttled round trip")
    parser.add_argument("--rounds", type=int, default=3, help="browser visits per server, alternated")
    parser.add_argument("--repeat", type=int, default=200, help="list calls per server")
    args = parser.parse_args()
    if not CHROMIUM.exists() or not (STATIC_DIR / "index.html").exists():
        raise SystemExit("needs Debian's chromium and the built UI (`make frontend`)")
    from playwright.sync_api import sync_playwright

    results: dict[str, dict[str, list[float]]] = {"gzip": {}, "plain": {}}
    with tempfile.TemporaryDirectory(prefix="kozak-network-") as tmp, ExitStack() as stack:
        folder = Path(tmp)
        home = folder / "home"
        with server(home, "", workers=0) as url:
            client = Client(url, "none")
            client.login("admin", PASSWORD)
            console.print(f"building {args.experiments} experiments ...")
            built = build(client, folder, args.experiments, 1, 2, 0)
        urls = {
            "gzip": stack.enter_context(server(home, "", 0, {"KOZAK_COMPRESS": "true"})),
            "plain": stack.enter_context(server(home, "", 0, {"KOZAK_COMPRESS": "false"})),
        }
        token = Client(urls["gzip"], "none").login("admin", PASSWORD)
        playwright = stack.enter_context(sync_playwright())
        for _ in range(args.rounds):
            for name, url in urls.items():
                visits = browser_visits(playwright, url, built["large"], args.mbit, args.rtt_ms)
                for key, value in visits.items():
                    results[name].setdefault(key, []).append(value)
        pages = {
            "gzip": list_page(urls["gzip"], token, built["large"], "gzip", args.repeat),
            "plain": list_page(urls["gzip"], token, built["large"], "identity", args.repeat),
        }
    figures = {
        name: {key: statistics.median(values) for key, values in found.items()} | pages[name]
        for name, found in results.items()
    }
    figures["ratio"] = {key: figures["gzip"][key] / figures["plain"][key] for key in figures["gzip"]}
    table = Table(
        title=f"{args.experiments} experiments: the browser at {args.mbit:g} Mbit/s and "
        f"{args.rtt_ms:g} ms, list pages on localhost"
    )
    table.add_column("figure")
    for name in figures:
        table.add_column(name, justify="right")
    for key in figures["gzip"]:
        table.add_row(key, *(f"{figures[name][key]:.3f}" for name in figures))
    console.print(table)
    print(
        json.dumps(
            {
                "experiments": args.experiments,
                "mbit": args.mbit,
                "rtt_ms": args.rtt_ms,
                **{name: {k: round(v, 4) for k, v in f.items()} for name, f in figures.items()},
            }
        )
    )


if __name__ == "__main__":
    main()
