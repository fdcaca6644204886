"""Log-in throttling: failed attempts per client address and per user name, and a bound on the
password checks running at once.

`LoginGuard.authenticate` refuses (429 with a retry delay) a client address or a user name that
failed `attempts` times within `window_s`, before checking anything; otherwise it checks the
password in one of `concurrent` slots (each check costs 64 MiB of argon2), refusing with 503
when none frees up within a few seconds. A success clears the user name's failures.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable

from kozak.accounts.users import authenticate
from kozak.errors import NotAuthenticated, TooManyRequests, Unavailable
from kozak.store.entities import User
from kozak.workspace import Workspace

MAX_KEYS = 10_000  # failure records kept; the oldest go first, so a flood of names cannot grow it
SLOT_WAIT_S = 5.0  # how long a log-in waits for a free password-check slot before a 503


class LoginGuard:
    """Failure windows per address and per name, and the password-check slots.

    Args:
        attempts: Failed log-ins allowed per address and per name within `window_s`.
        window_s: The window, in seconds.
        concurrent: Password checks allowed to run at once.
        clock: Monotonic seconds; tests substitute their own.
    """

    def __init__(
        self,
        attempts: int,
        window_s: float,
        concurrent: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.attempts, self.window_s, self.clock = attempts, window_s, clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(concurrent)

    def authenticate(self, workspace: Workspace, address: str, name: str, password: str) -> User:
        """The user, if the address and name are not throttled and the password is right.

        Raises:
            TooManyRequests: the address or the name failed too often lately (nothing checked).
            Unavailable: every password-check slot stayed busy.
            NotAuthenticated: wrong name or password (counted against both).
        """
        keys = (f"address:{address}", f"name:{name.lower()}")
        wait = max(self._retry_after(key) for key in keys)
        if wait > 0:
            raise TooManyRequests(
                f"too many failed log-ins; try again in {math.ceil(wait)} s",
                retry_after_s=math.ceil(wait),
            )
        if not self._slots.acquire(timeout=SLOT_WAIT_S):
            raise Unavailable("the server is busy checking passwords; try again", retry_after_s=2)
        try:
            user = authenticate(workspace, name, password)
        except NotAuthenticated:
            self._record(keys)
            raise
        finally:
            self._slots.release()
        with self._lock:
            self._failures.pop(keys[1], None)
        return user

    def _retry_after(self, key: str) -> float:
        """Seconds until `key` may try again (0: now)."""
        now = self.clock()
        with self._lock:
            recent = self._failures.get(key)
            if recent is None:
                return 0.0
            while recent and recent[0] <= now - self.window_s:
                recent.popleft()
            if len(recent) < self.attempts:
                return 0.0
            return recent[-self.attempts] + self.window_s - now

    def _record(self, keys: tuple[str, ...]) -> None:
        now = self.clock()
        with self._lock:
            for key in keys:
                self._failures.setdefault(key, deque(maxlen=self.attempts)).append(now)
                self._failures.move_to_end(key)
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)


__all__ = ["LoginGuard"]
