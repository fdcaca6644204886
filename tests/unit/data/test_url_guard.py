"""URL import reaches only public addresses and what KOZAK_URL_IMPORT_ALLOW names (SSRF).

Internal targets are real servers on loopback addresses (127.0.0.1, 127.0.0.2); private and
link-local ones are names a resolver stub maps there, checked without any connection attempt.
"""

from __future__ import annotations

import http.server
import ipaddress
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kozak.data import import_files
from kozak.data.download import fetch_to_cache
from kozak.data.url_guard import AddressPolicy
from kozak.errors import NetworkError
from kozak.settings import Settings
from kozak.workspace import Workspace

REFUSED_MESSAGE = "it did not answer, or its address is internal"


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves `/data.csv`; `/hop?to=URL` redirects; every path it was asked for is recorded."""

    seen: list[str]

    def do_GET(self) -> None:
        self.seen.append(self.path)
        if self.path.startswith("/hop?to="):
            self.send_response(302)
            self.send_header("Location", self.path.removeprefix("/hop?to="))
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"secret,value\nroot-password,1\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def _serve(host: str) -> Iterator[tuple[str, list[str]]]:
    seen: list[str] = []
    handler = type("Handler", (_Handler,), {"seen": seen})
    try:
        server = http.server.ThreadingHTTPServer((host, 0), handler)
    except OSError as exc:
        pytest.skip(f"cannot listen on {host}: {exc}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{host}:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def outer() -> Iterator[tuple[str, list[str]]]:
    """A server on 127.0.0.1: (base URL, paths asked for)."""
    yield from _serve("127.0.0.1")


@pytest.fixture
def inner() -> Iterator[tuple[str, list[str]]]:
    """An "internal service" on the loopback alias 127.0.0.2."""
    yield from _serve("127.0.0.2")


def test_loopback_is_refused_by_default(workspace: Workspace, outer: tuple[str, list[str]]) -> None:
    base, seen = outer
    with pytest.raises(NetworkError, match=REFUSED_MESSAGE):
        import_files(workspace, [f"{base}/data.csv"], name="X")
    assert seen == []


def test_allowed_host_may_not_redirect_inside(
    tmp_path: Path, outer: tuple[str, list[str]], inner: tuple[str, list[str]]
) -> None:
    base, outer_seen = outer
    target, inner_seen = inner
    settings = Settings(home=tmp_path / "home", url_import_allow=["127.0.0.1"])
    assert fetch_to_cache(f"{base}/data.csv", settings)[1] == "data.csv"  # allowed itself
    with pytest.raises(NetworkError, match=REFUSED_MESSAGE) as refused:
        fetch_to_cache(f"{base}/hop?to={target}/data.csv", settings)
    assert inner_seen == [] and len(outer_seen) == 2
    assert "secret" not in str(refused.value)


def test_refusal_and_silence_read_the_same(tmp_path: Path) -> None:
    """A closed internal port and a refused address give one message: no port scanning."""
    closed = Settings(home=tmp_path / "a", url_import_allow=["127.0.0.0/8"])
    refused = Settings(home=tmp_path / "b")
    messages = []
    for settings in (closed, refused):
        with pytest.raises(NetworkError) as error:
            fetch_to_cache("http://127.0.0.1:9/data.csv", settings)
        messages.append(error.value.message)
    assert messages[0] == messages[1]


@pytest.mark.parametrize(
    "address",
    [
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fd00::5",
        "::ffff:10.0.0.1",
        "0.0.0.0",
        "100.64.0.1",
    ],
)
def test_internal_names_are_refused_before_connecting(tmp_path: Path, address: str) -> None:
    asked: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return [address]

    policy = AddressPolicy((), resolver)
    settings = Settings(home=tmp_path / "home")
    with pytest.raises(NetworkError, match=REFUSED_MESSAGE):
        fetch_to_cache("http://intranet.example/data.csv", settings, policy)
    assert asked == ["intranet.example"]  # resolved, refused, and never connected to


def test_one_internal_answer_refuses_the_name() -> None:
    policy = AddressPolicy((), lambda host, port: ["93.184.215.14", "10.0.0.1"])
    with pytest.raises(OSError, match="refused"):
        policy.addresses("mixed.example", 80)


def test_allow_list_names_hosts_and_networks() -> None:
    policy = AddressPolicy(["Files.Lab.", "10.20.0.0/16", "fd00::1"])
    ip = ipaddress.ip_address
    assert policy.permits("files.lab", ip("10.9.9.9"))
    assert policy.permits("other", ip("10.20.3.4")) and not policy.permits("other", ip("10.21.0.1"))
    assert policy.permits("other", ip("fd00::1")) and not policy.permits("other", ip("fd00::2"))
    assert policy.permits("example.org", ip("93.184.215.14"))
    assert not policy.permits("other", ip("127.0.0.1"))


def test_environment_lists_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KOZAK_URL_IMPORT_ALLOW", "127.0.0.1, files.lab,10.0.0.0/8")
    assert Settings().url_import_allow == ["127.0.0.1", "files.lab", "10.0.0.0/8"]
    monkeypatch.setenv("KOZAK_URL_IMPORT_ALLOW", '["files.lab"]')  # as workers get it
    assert Settings().url_import_allow == ["files.lab"]
