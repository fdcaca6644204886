"""Log-in throttling: failures per address and per name in a window, and bounded password checks."""

from __future__ import annotations

import threading

import pytest

from kozak import accounts
from kozak.accounts import throttle
from kozak.accounts.throttle import LoginGuard
from kozak.errors import NotAuthenticated, TooManyRequests, Unavailable
from kozak.store.entities import User
from kozak.workspace import Workspace


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ada(workspace: Workspace) -> User:
    return accounts.create_user(workspace, "ada", "ada-password")


def _fail(guard: LoginGuard, workspace: Workspace, address: str, name: str) -> None:
    with pytest.raises(NotAuthenticated):
        guard.authenticate(workspace, address, name, "wrong-password")


def test_an_address_is_throttled_then_released(workspace: Workspace, ada: User) -> None:
    clock = Clock()
    guard = LoginGuard(attempts=3, window_s=60, concurrent=2, clock=clock)
    for name in ("x", "y", "z"):  # different names: the address is what repeats
        _fail(guard, workspace, "10.0.0.7", name)
    with pytest.raises(TooManyRequests) as refused:
        guard.authenticate(workspace, "10.0.0.7", "ada", "ada-password")  # right, but throttled
    assert refused.value.retry_after_s == 60 and refused.value.http_status == 429
    assert guard.authenticate(workspace, "10.0.0.8", "ada", "ada-password").name == "ada"
    clock.now += 61
    assert guard.authenticate(workspace, "10.0.0.7", "ada", "ada-password").name == "ada"


def test_a_name_is_throttled_from_every_address(workspace: Workspace, ada: User) -> None:
    clock = Clock()
    guard = LoginGuard(attempts=3, window_s=60, concurrent=2, clock=clock)
    for i in range(3):
        clock.now += 10
        _fail(guard, workspace, f"10.0.1.{i}", "ADA")
    with pytest.raises(TooManyRequests) as refused:
        guard.authenticate(workspace, "10.0.2.1", "ada", "ada-password")
    assert refused.value.retry_after_s == 40  # until the first of the three leaves the window


def test_password_checks_are_bounded(
    workspace: Workspace, ada: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow_check(workspace: Workspace, name: str, password: str) -> User:
        inside.set()
        release.wait(30)
        return ada

    monkeypatch.setattr(throttle, "authenticate", slow_check)
    monkeypatch.setattr(throttle, "SLOT_WAIT_S", 0.05)
    guard = LoginGuard(attempts=3, window_s=60, concurrent=1)
    first = threading.Thread(target=guard.authenticate, args=(workspace, "a", "ada", "p"))
    first.start()
    assert inside.wait(30)
    with pytest.raises(Unavailable) as busy:
        guard.authenticate(workspace, "b", "ada", "p")
    assert busy.value.http_status == 503 and busy.value.retry_after_s >= 1
    release.set()
    first.join(30)
    assert guard.authenticate(workspace, "b", "ada", "p") is ada


def test_every_process_shares_the_count(workspace: Workspace, ada: User) -> None:
    """Two guards, as two API processes of one server have, on one database: failures met in
    either count against both."""
    clock = Clock()
    one, other = (LoginGuard(attempts=3, window_s=60, concurrent=2, clock=clock) for _ in range(2))
    _fail(one, workspace, "10.0.3.1", "ada")
    _fail(other, workspace, "10.0.3.2", "ada")
    _fail(one, workspace, "10.0.3.3", "ada")
    with pytest.raises(TooManyRequests):
        other.authenticate(workspace, "10.0.3.4", "ada", "ada-password")


def test_failures_older_than_the_window_are_forgotten(workspace: Workspace, ada: User) -> None:
    clock = Clock()
    guard = LoginGuard(attempts=3, window_s=60, concurrent=2, clock=clock)
    for i in range(5):
        _fail(guard, workspace, f"10.0.4.{i}", f"nobody-{i}")
    clock.now += 61
    _fail(guard, workspace, "10.0.4.9", "nobody-9")  # records two keys, forgets the ten before
    kept = workspace.metadata.recent_login_failures([f"address:10.0.4.{i}" for i in (0, 9)], since=0)
    assert kept == {"address:10.0.4.9": [clock.now]}
    guard.authenticate(workspace, "10.0.4.9", "ada", "ada-password")
    assert workspace.metadata.recent_login_failures(["name:ada"], since=0) == {}
