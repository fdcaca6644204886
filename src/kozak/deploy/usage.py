"""`UsageRecorder`: request counts and latencies per deployment and minute, written in bulk.

Requests are counted in memory (no database write, no object built on the request path);
`flush` adds the counts to the store's per-minute rows. The platform flushes every few seconds
and at shutdown.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from kozak.store.entities import DeploymentUsage, utcnow
from kozak.store.metadata import MetadataStore


@dataclass
class _Counts:
    requests: int = 0
    errors: int = 0
    rows: int = 0
    latency_ms_sum: float = 0.0
    latency_ms_max: float = 0.0


class UsageRecorder:
    """Accumulates `record` calls until `flush`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, datetime], _Counts] = {}

    def record(self, deployment_id: str, *, rows: int, latency_ms: float, error: bool) -> None:
        """Count one request."""
        key = (deployment_id, utcnow().replace(second=0, microsecond=0))
        with self._lock:
            counts = self._pending.get(key)
            if counts is None:
                counts = self._pending[key] = _Counts()
            counts.requests += 1
            counts.errors += int(error)
            counts.rows += rows
            counts.latency_ms_sum += latency_ms
            counts.latency_ms_max = max(counts.latency_ms_max, latency_ms)

    def flush(self, store: MetadataStore) -> int:
        """Write what was counted since the last flush; returns how many minute rows it wrote."""
        with self._lock:
            pending, self._pending = self._pending, {}
        if pending:
            store.add_deployment_usage(
                [
                    DeploymentUsage(deployment_id=deployment_id, minute=minute, **vars(counts))
                    for (deployment_id, minute), counts in pending.items()
                ]
            )
        return len(pending)
