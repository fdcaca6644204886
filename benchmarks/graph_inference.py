"""Benchmark: shape inference by pure block rules against the reference approaches, same run.

Builds a 30-node graph (the DeepSTARR preset: two targets, batch norms, pooling) and times, as
medians over repeated runs: `infer` on a parsed spec; parsing the spec from JSON-like data plus
`infer` (what the Modeling view does on each keystroke); building the model and tracing it on
torch's meta device; building it and running a forward pass on random data (Ludwig's way).
Prints a table, then one JSON line with the figures.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import torch

from kozak.graph import GraphSpec, compile_graph, infer, preset


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of `fn` in milliseconds after one warm-up call."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    spec = preset("deepstarr")
    data = spec.to_dict()
    assert len(spec.nodes) == 30

    def meta_trace() -> dict[str, torch.Tensor]:
        with torch.device("meta"):
            module = compile_graph(spec).eval()  # batch norm refuses a batch of 1 in training
            return module({f: torch.empty(1, *s) for f, s in module.input_shapes.items()})

    def random_forward() -> dict[str, torch.Tensor]:
        module = compile_graph(spec).eval()
        with torch.no_grad():
            return module({f: torch.rand(1, *s) for f, s in module.input_shapes.items()})

    # the reference approaches must agree with the rules before they are compared
    declared = {n.id: n.output_shape for n in infer(spec).nodes if n.type == "target"}
    traced = {k: tuple(v.shape[1:]) for k, v in meta_trace().items()}
    real = {k: tuple(v.shape[1:]) for k, v in random_forward().items()}
    assert declared == traced == real, (declared, traced, real)

    infer_ms = median_ms(lambda: infer(spec), 200)
    parse_infer_ms = median_ms(lambda: infer(GraphSpec.from_data(data)), 200)
    meta_ms = median_ms(meta_trace, 20)
    forward_ms = median_ms(random_forward, 10)

    rows = [
        ("infer (pure rules)", infer_ms),
        ("parse spec + infer", parse_infer_ms),
        ("build + meta-device trace", meta_ms),
        ("build + forward on random data", forward_ms),
    ]
    print(
        f"graph: {spec.name}, {len(spec.nodes)} nodes, {len(spec.edges)} edges, "
        f"{infer(spec).total_params:,} parameters"
    )
    print(f"{'method':<34}{'median ms':>12}{'vs infer':>12}")
    for label, ms in rows:
        print(f"{label:<34}{ms:>12.3f}{ms / infer_ms:>11.0f}x")
    print(
        json.dumps(
            {
                "benchmark": "graph_inference",
                "graph": spec.name,
                "nodes": len(spec.nodes),
                "infer_ms": round(infer_ms, 4),
                "parse_and_infer_ms": round(parse_infer_ms, 4),
                "meta_trace_reference_ms": round(meta_ms, 3),
                "forward_reference_ms": round(forward_ms, 3),
                "speedup_vs_meta": round(meta_ms / infer_ms, 1),
                "speedup": round(forward_ms / infer_ms, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
