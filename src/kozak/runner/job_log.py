"""`JobLog`: a job's short text log, kept in memory while it runs and stored with the job."""

from __future__ import annotations

import threading

MAX_LOG_CHARS = 100_000  # the log lives in a database row; keep its newest part


class JobLog:
    """A job's short text log (thread-safe): start, each epoch's metrics, the error on failure."""

    def __init__(self, max_chars: int = MAX_LOG_CHARS) -> None:
        self.max_chars = max_chars
        self._text = ""
        self._lock = threading.Lock()

    def write(self, line: str) -> None:
        """Append one line (or several)."""
        with self._lock:
            self._text += line.rstrip("\n") + "\n"
            if len(self._text) > self.max_chars:
                self._text = "[earlier lines dropped]\n" + self._text[-self.max_chars :]

    def text(self) -> str:
        """Everything kept so far."""
        with self._lock:
            return self._text
