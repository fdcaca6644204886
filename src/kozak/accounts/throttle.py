"""Log-in throttling: failed attempts per client address and per user name, and a bound on the
password checks running at once.

`LoginGuard.authenticate` refuses (429 with a retry delay) a client address or a user name that
failed `attempts` times within `window_s`, before checking anything; otherwise it checks the
password in one of `concurrent` slots (each check costs 64 MiB of argon2), refusing with 503
when none frees up within a few seconds. A success clears the user name's failures.

The failures are counted in the metadata store, so every API process of a server (and every
server on one database) shares one count; the password-check slots are each process's own.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

from kozak.accounts.users import authenticate
from kozak.errors import NotAuthenticated, TooManyRequests, Unavailable
from kozak.store.entities import User
from kozak.workspace import Workspace

SLOT_WAIT_S = 5.0  # how long a log-in waits for a free password-check slot before a 503


class LoginGuard:
    """Failure windows per address and per name, and the password-check slots.

    Args:
        attempts: Failed log-ins allowed per address and per name within `window_s`.
        window_s: The window, in seconds.
        concurrent: Password checks allowed to run at once.
        clock: Seconds on a clock every process shares (wall time); tests substitute their own.
    """

    def __init__(
        self,
        attempts: int,
        window_s: float,
        concurrent: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.attempts, self.window_s, self.clock = attempts, window_s, clock
        self._slots = threading.BoundedSemaphore(concurrent)

    def authenticate(self, workspace: Workspace, address: str, name: str, password: str) -> User:
        """The user, if the address and name are not throttled and the password is right.

        Raises:
            TooManyRequests: the address or the name failed too often lately (nothing checked).
            Unavailable: every password-check slot stayed busy.
            NotAuthenticated: wrong name or password (counted against both).
        """
        keys = (f"address:{address}", f"name:{name.lower()}")
        wait = self._retry_after(workspace, keys)
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
            now = self.clock()
            workspace.metadata.record_login_failure(keys, now, forget_before=now - self.window_s)
            raise
        finally:
            self._slots.release()
        workspace.metadata.forget_login_failures(keys[1])
        return user

    def _retry_after(self, workspace: Workspace, keys: tuple[str, ...]) -> float:
        """Seconds until every key may try again (0: now)."""
        now = self.clock()
        failures = workspace.metadata.recent_login_failures(keys, since=now - self.window_s)
        return max(
            (
                times[-self.attempts] + self.window_s - now
                for times in failures.values()
                if len(times) >= self.attempts
            ),
            default=0.0,
        )


__all__ = ["LoginGuard"]
