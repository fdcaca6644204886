"""Benchmark: a deployed `cuperus2017` model over HTTP against a reference server, same run.

Trains the preset for one short epoch on a simulated library in a temporary workspace, deploys
its best checkpoint, and starts a real `kozak up` process on 127.0.0.1. Then:

(a) throughput: batches of 1,024 50-nt sequences POSTed to `/deployment/<id>/forward` one after
    another, against `ServingModel.forward` on the same sequences pre-encoded, in a fresh process
    of its own; the two alternate in blocks and each side's median batch time is used (`ratio`);
(b) latency under load: single-row requests from 8 concurrent client processes (keep-alive
    connections, plain `http.client`), p50 and p99 over all requests and requests per second,
    against the platform and, in turn, against a reference server: uvicorn + FastAPI answering
    each request with its own forward of the same model (no batching), what one would write
    by hand; and against `kozak serve --workers 1` and `--workers 2`.

Goals (issue 21): throughput ratio >= 0.85; under the 8-client load Kozak's p50 and p99 no
higher than the reference's and its requests per second >= 1.5 x the reference's. The model
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
import torch
import uvicorn
from fastapi import FastAPI

from kozak.deploy import ServingModel, create_deployment
from kozak.deploy.deployments import model_path
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


def _wait(process: subprocess.Popen[bytes], url: str, log: Path) -> subprocess.Popen[bytes]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        try:
            httpx.get(url).raise_for_status()
            return process
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"the server did not start:\n{log.read_text()}")


def _start(home: Path, command: list[str], env: dict[str, str], health: str) -> subprocess.Popen[bytes]:
    log = home / "server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT
        )
    return _wait(process, health, log)


def start_server(home: Path, port: int) -> subprocess.Popen[bytes]:
    """`kozak up` on the benchmark's workspace."""
    env = {"KOZAK_HOME": str(home), "KOZAK_WORKERS": "0", "KOZAK_ADMIN_PASSWORD": "benchmark-password"}
    env["KOZAK_LOG_LEVEL"] = "warning"  # as the reference and `kozak serve` run
    command = [sys.executable, "-m", "kozak", "up", "--port", str(port), "--no-example"]
    return _start(home, command, env, f"http://127.0.0.1:{port}/api/health")


def start_serve(
    home: Path, checkpoint: Path, port: int, token: str, workers: int
) -> subprocess.Popen[bytes]:
    """`kozak serve CHECKPOINT --id bench --workers N`."""
    command = [sys.executable, "-m", "kozak", "serve", str(checkpoint), "--port", str(port)]
    command += ["--id", "bench", "--workers", str(workers)]
    env = {"KOZAK_SERVE_TOKEN": token, "KOZAK_LOG_LEVEL": "warning"}
    return _start(home, command, env, f"http://127.0.0.1:{port}/health")


def start_reference(home: Path, checkpoint: Path, port: int) -> subprocess.Popen[bytes]:
    """The reference server (`reference_app`) in a process of its own."""
    command = [sys.executable, __file__, "--reference", str(checkpoint), "--port", str(port)]
    return _start(home, command, {}, f"http://127.0.0.1:{port}/health")


def reference_app(checkpoint: str) -> FastAPI:
    """uvicorn + FastAPI as written by hand: each request gets its own forward, no batching.

    It reuses Kozak's encoding and decoding (the same work per row) and the model's precision
    (bf16 autocast where `auto` picks it: the encoding hands the model bf16 one-hots), but calls
    the torch model directly from FastAPI's thread pool, one request at a time per thread.
    """
    model = ServingModel.load(checkpoint, "cpu")
    app = FastAPI()

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/deployment/{deployment_id}/forward")
    def forward(deployment_id: str, body: dict[str, list[dict[str, str]]]) -> dict[str, object]:
        batch = model.encode(body["rows"])
        with torch.inference_mode(), model.precision.autocast():
            outputs = model.model(batch)
        raw = {name: outputs[name].float().numpy() for name in model.targets}
        return {"rows": model.decode(raw)}

    return app


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


def latency(port: int, path: str, token: str, clients: int, requests: int) -> tuple[np.ndarray, float]:
    """(milliseconds of every single-row request, requests per second) from `clients` processes."""
    jobs = [(port, path, token, requests, seed) for seed in range(clients)]
    with multiprocessing.get_context("spawn").Pool(clients) as pool:
        pool.map(_client_latencies, [(port, path, token, 2, seed) for seed in range(clients)])  # warm up
        start = time.perf_counter()
        found = pool.map(_client_latencies, jobs)
        seconds = time.perf_counter() - start
    millis = np.array([x for per_client in found for x in per_client]) * 1000
    return millis, clients * requests / seconds


def _cpu_ms(pid: int) -> float:
    """CPU time (user + system) a process and its direct children (uvicorn workers) have used."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    total = 0
    for process in [pid, *map(int, children)]:
        fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK") * 1000


def _under_load(
    process: subprocess.Popen[bytes], port: int, path: str, token: str, args: argparse.Namespace
) -> dict[str, float]:
    """Latency, requests per second and the server's CPU milliseconds per request."""
    try:
        before = _cpu_ms(process.pid)
        millis, per_second = latency(port, path, token, args.clients, args.requests)
        # Each client sends 3 warm-up requests and one opening its connection besides those timed.
        cpu = (_cpu_ms(process.pid) - before) / (args.clients * (args.requests + 4))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "p50_ms": float(np.percentile(millis, 50)),
        "p99_ms": float(np.percentile(millis, 99)),
        "requests_per_s": per_second,
        "cpu_ms_per_request": cpu,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=3000, help="simulated library rows to train on")
    parser.add_argument("--batches", type=int, default=16, help="1,024-row batches per side")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=250, help="single-row requests per client")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reference", help=argparse.SUPPRESS)  # run the reference server
    args = parser.parse_args()
    if args.reference:
        uvicorn.run(reference_app(args.reference), host="127.0.0.1", port=args.port, log_level="warning")
        return

    with tempfile.TemporaryDirectory() as folder:
        home = Path(folder)
        deployment_id, token, checkpoint = deployed_model(home, args.rows)
        path = f"/deployment/{deployment_id}/forward"
        server = start_server(home, args.port)
        try:
            rest, bare, bare_fp32 = throughput(
                f"http://127.0.0.1:{args.port}{path}", token, checkpoint, args.batches
            )
        except BaseException:
            server.terminate()
            raise
        loads = {"kozak up": _under_load(server, args.port, path, token, args)}
        reference = start_reference(home, checkpoint, args.port + 1)
        loads["reference"] = _under_load(reference, args.port + 1, path, token, args)
        for workers in (1, 2):
            serve = start_serve(home, checkpoint, args.port + 1 + workers, token, workers)
            served = _under_load(
                serve, args.port + 1 + workers, "/deployment/bench/forward", token, args
            )
            loads[f"kozak serve --workers {workers}"] = served

    ratio = rest / bare
    kozak, ref = loads["kozak up"], loads["reference"]
    per_second_ratio = kozak["requests_per_s"] / ref["requests_per_s"]
    print(f"{'REST, batches of 1,024 (seq/s)':<44}{rest:>12,.0f}")
    print(f"{'bare forward, pre-encoded (seq/s)':<44}{bare:>12,.0f}")
    print(f"{'throughput ratio':<44}{ratio:>12.3f}{'>= 0.85':>10}")
    print(f"{'bare forward in fp32 (seq/s)':<44}{bare_fp32:>12,.0f}")
    print(f"{'REST ÷ bare fp32 forward':<44}{rest / bare_fp32:>12.3f}{'>= 3.0':>10}")
    print()
    print(f"single-row requests, {args.clients} clients x {args.requests} each")
    print(f"{'server':<30}{'p50 (ms)':>10}{'p99 (ms)':>10}{'requests/s':>12}{'CPU ms/req':>12}")
    for name, found in loads.items():
        figures = f"{found['p50_ms']:>10.2f}{found['p99_ms']:>10.2f}{found['requests_per_s']:>12.0f}"
        print(f"{name:<30}{figures}{found['cpu_ms_per_request']:>12.2f}")
    print(f"{'requests/s, kozak up / reference':<44}{per_second_ratio:>12.2f}{'>= 1.5':>10}")
    goals = kozak["p50_ms"] <= ref["p50_ms"] and kozak["p99_ms"] <= ref["p99_ms"]
    print(f"{'p50 and p99 <= the reference':<44}{'yes' if goals else 'no':>12}")
    print(
        json.dumps(
            {
                "rest_seq_per_s": round(rest, 1),
                "pure_forward_seq_per_s": round(bare, 1),
                "ratio": round(ratio, 4),
                "p50_ms": round(kozak["p50_ms"], 3),
                "p99_ms": round(kozak["p99_ms"], 3),
                "requests_per_s": round(kozak["requests_per_s"], 1),
                "ref_p50_ms": round(ref["p50_ms"], 3),
                "ref_p99_ms": round(ref["p99_ms"], 3),
                "ref_requests_per_s": round(ref["requests_per_s"], 1),
                "throughput_ratio_vs_ref": round(per_second_ratio, 3),
                "cpu_ms_per_request": round(kozak["cpu_ms_per_request"], 3),
                "ref_cpu_ms_per_request": round(ref["cpu_ms_per_request"], 3),
                "serve_workers_1_p50_ms": round(loads["kozak serve --workers 1"]["p50_ms"], 3),
                "serve_workers_2_p50_ms": round(loads["kozak serve --workers 2"]["p50_ms"], 3),
                "pure_forward_fp32_seq_per_s": round(bare_fp32, 1),
                "rest_vs_fp32_forward": round(rest / bare_fp32, 4),
            }
        )
    )


if __name__ == "__main__":
    main()
