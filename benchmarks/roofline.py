"""The machine's matrix-multiply peak, which the other benchmarks measure their FLOP/s against."""

from __future__ import annotations

import time

import torch


def gemm_gflops(dtype: torch.dtype, size: int = 2048, repeats: int = 5) -> float:
    """Best GFLOP/s of a `size`² matrix product in `dtype` (2 size³ FLOPs)."""
    a, b = (torch.randn(size, size).to(dtype) for _ in range(2))
    torch.mm(a, b)  # kernels, caches
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        torch.mm(a, b)
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best / 1e9
