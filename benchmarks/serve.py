"""Benchmark: a deployed `cuperus2017` model over HTTP against its bare forward, same run.

Trains the preset for one short epoch on a simulated library in a temporary workspace, deploys
its best checkpoint, and starts a real `kozak up` process on 127.0.0.1. Then:

(a) throughput: batches of 1,024 50-nt sequences POSTed to `/deployment/<id>/forward` one after
    another, against `ServingModel.forward` on the same sequences pre-encoded, in a fresh process
    of its own; the two alternate in blocks and each side's median batch time is used;
(b) latency: single-row requests from 8 concurrent client processes (keep-alive connections,
    plain `http.client`), p50 and p99 over all requests.

Goals (issue 7): throughput ratio >= 0.85; p50 <= 5 ms and p99 <= 25 ms on this CPU. The model
serves in its run's precision (auto: bf16 on CPUs with AMX or AVX-512-BF16); the bare forward is
also timed in fp32, and REST ÷ bare fp32 is the gain a user sees (issue 23: >= 3.0).
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from kozak.deploy import ServingModel, create_deployment
from kozak.deploy.service import model_path
from kozak.examples.yeast import paper_settings, random_library_version, synthetic_library
from kozak.experiments import create_experiment, run_experiment
from kozak.graph import preset
from kozak.settings import Settings
from kozak.workspace import Workspace

BATCH = 1024


def deployed_model(home: Path, rows: int) -> tuple[str, str, Path]:
    """(deployment id, token, checkpoint) of a `cuperus2017` model trained one short epoch."""
    workspace = Workspace.open(Settings(home=home))
    library, _ = synthetic_library(workspace, rows, seed=0)
    version = random_library_version(workspace, library)
    settings = paper_settings(epochs=1).model_copy(update={"validation_subset": "validation"})
    experiment = create_experiment(
        workspace, "Yeast", "cuperus2017", version, preset("cuperus2017"), settings
    )
    run_experiment(workspace, experiment)
    deployment, token = create_deployment(
        workspace, workspace.metadata.get_experiment(experiment.project_id, experiment.id)
    )
    path = model_path(workspace, deployment)
    workspace.metadata.close()
    return deployment.id, token, path


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "KOZAK_HOME": str(home),
        "KOZAK_WORKERS": "0",
        "KOZAK_ADMIN_PASSWORD": "benchmark-password",
    }
    log = (home / "server.log").open("ab")
    command = [sys.executable, "-m", "kozak", "up", "--port", str(port), "--no-example"]
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/health").raise_for_status()
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start:\n{(home / 'server.log').read_text()}")


def random_sequences(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return ["".join(row) for row in rng.choice(list("ACGT"), (count, 50))]


_BARE: dict[str | None, tuple[ServingModel, dict[str, Any]]] = {}  # precision -> (model, batch)


def _bare_block(args: tuple[str, int, str | None]) -> list[float]:
    """Seconds per forward of the pre-encoded batch, in a fresh process (as a server has)."""
    checkpoint, count, precision = args
    if precision not in _BARE:
        model = ServingModel.load(checkpoint, "cpu", precision)
        encoded = model.encode([{"seq": s} for s in random_sequences(BATCH, seed=1)])
        model.forward(encoded)  # warm up
        _BARE[precision] = (model, encoded)
    model, encoded = _BARE[precision]
    times = []
    for _ in range(count):
        start = time.perf_counter()
        model.forward(encoded)
        times.append(time.perf_counter() - start)
    return times


def throughput(url: str, token: str, checkpoint: Path, batches: int) -> tuple[float, float, float]:
    """(REST, bare forward, bare fp32 forward) sequences/s: medians over alternating blocks.

    The bare forward runs in a fresh process of its own, like the server's model, and blocks
    alternate rather than single batches, so neither side is timed while the other's OpenMP
    threads still spin after their last batch.
    """
    body = json.dumps({"rows": [{"seq": s} for s in random_sequences(BATCH, seed=1)]})
    rest: list[float] = []
    bare: list[float] = []
    bare_fp32: list[float] = []
    per_block = max(batches // 2, 1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    with (
        httpx.Client(headers=headers, timeout=120) as client,
        multiprocessing.get_context("spawn").Pool(1) as pool,
    ):
        client.post(url, content=body).raise_for_status()  # load the model, warm up
        for _ in range(2):
            bare += pool.apply(_bare_block, ((str(checkpoint), per_block, None),))
            bare_fp32 += pool.apply(_bare_block, ((str(checkpoint), per_block, "fp32"),))
            time.sleep(0.5)  # let the other side's threads go idle
            for _ in range(per_block):
                start = time.perf_counter()
                response = client.post(url, content=body)
                rest.append(time.perf_counter() - start)
                assert response.status_code == 200 and len(response.json()["rows"]) == BATCH
            time.sleep(0.5)
    rate = [BATCH / statistics.median(times) for times in (rest, bare, bare_fp32)]
    return rate[0], rate[1], rate[2]


def _client_latencies(args: tuple[int, str, str, int, int]) -> list[float]:
    # http.client keeps the client's own cost per request small next to the server's.
    port, path, token, requests, seed = args
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    bodies = [json.dumps({"rows": [{"seq": s}]}) for s in random_sequences(requests + 1, seed)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies = []
    for k, body in enumerate(bodies):
        start = time.perf_counter()
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        answer = response.read()
        if k:  # the first request opens the connection
            latencies.append(time.perf_counter() - start)
        assert response.status == 200, answer
    connection.close()
    return latencies


def latency(port: int, path: str, token: str, clients: int, requests: int) -> np.ndarray:
    """Milliseconds of every single-row request from `clients` concurrent processes."""
    jobs = [(port, path, token, requests, seed) for seed in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        found = pool.map(_client_latencies, jobs)
    return np.array([x for per_client in found for x in per_client]) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000, help="simulated library rows to train on")
    parser.add_argument("--batches", type=int, default=16, help="1,024-row batches per side")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="single-row requests per client")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        deployment_id, token, checkpoint = deployed_model(home, args.rows)
        server = start_server(home, args.port)
        try:
            path = f"/deployment/{deployment_id}/forward"
            rest, bare, bare_fp32 = throughput(
                f"http://127.0.0.1:{args.port}{path}", token, checkpoint, args.batches
            )
            millis = latency(args.port, path, token, args.clients, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=30)

    p50, p99 = float(np.percentile(millis, 50)), float(np.percentile(millis, 99))
    ratio = rest / bare
    print(f"{'measure':<44}{'value':>12}{'goal':>10}")
    print(f"{'REST, batches of 1,024 (seq/s)':<44}{rest:>12,.0f}")
    print(f"{'bare forward, pre-encoded (seq/s)':<44}{bare:>12,.0f}")
    print(f"{'throughput ratio':<44}{ratio:>12.3f}{'>= 0.85':>10}")
    print(f"{'bare forward in fp32 (seq/s)':<44}{bare_fp32:>12,.0f}")
    print(f"{'REST ÷ bare fp32 forward':<44}{rest / bare_fp32:>12.3f}{'>= 3.0':>10}")
    print(f"{f'single row, {args.clients} clients: p50 (ms)':<44}{p50:>12.2f}{'<= 5':>10}")
    print(f"{f'single row, {args.clients} clients: p99 (ms)':<44}{p99:>12.2f}{'<= 25':>10}")
    print(f"{'single-row requests measured':<44}{len(millis):>12,}")
    print(
        json.dumps(
            {
                "rest_seq_per_s": round(rest, 1),
                "pure_forward_seq_per_s": round(bare, 1),
                "ratio": round(ratio, 4),
                "pure_forward_fp32_seq_per_s": round(bare_fp32, 1),
                "rest_vs_fp32_forward": round(rest / bare_fp32, 4),
                "p50_ms": round(p50, 3),
                "p99_ms": round(p99, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
