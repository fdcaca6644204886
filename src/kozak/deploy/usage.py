"""`UsageRecorder`: request counts and latencies per deployment and minute, written in bulk.

Requests are counted in memory (no database write on the request path); `flush` adds the
counts to the store's per-minute rows. The platform flushes every few seconds and at shutdown.
"""

from __future__ import annotations

import threading
from datetime import datetime

from kozak.store.entities import DeploymentUsage, utcnow
from kozak.store.metadata import MetadataStore


class UsageRecorder:
    """Accumulates `record` calls until `flush`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, datetime], DeploymentUsage] = {}

    def record(self, deployment_id: str, *, rows: int, latency_ms: float, error: bool) -> None:
        """Count one request."""
        minute = utcnow().replace(second=0, microsecond=0)
        key = (deployment_id, minute)
        with self._lock:
            usage = self._pending.get(key) or DeploymentUsage(deployment_id=deployment_id, minute=minute)
            self._pending[key] = usage.model_copy(
                update={
                    "requests": usage.requests + 1,
                    "errors": usage.errors + int(error),
                    "rows": usage.rows + rows,
                    "latency_ms_sum": usage.latency_ms_sum + latency_ms,
                    "latency_ms_max": max(usage.latency_ms_max, latency_ms),
                }
            )

    def flush(self, store: MetadataStore) -> int:
        """Write what was counted since the last flush; returns how many minute rows it wrote."""
        with self._lock:
            pending, self._pending = list(self._pending.values()), {}
        if pending:
            store.add_deployment_usage(pending)
        return len(pending)
