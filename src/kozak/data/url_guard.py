"""Which addresses URL import may reach: public ones, plus the hosts and networks the admin allows.

Every connection an import opens (the first request and every redirect hop) resolves its host
here and connects to the very address that was checked, so a name that resolves to an internal
address, or re-resolves to one between check and connect, is refused before any byte is sent.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from typing import Any

import httpcore
import httpx

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]


class AddressRefused(OSError):
    """A host resolved to an address URL import may not reach (never shown to the user as such)."""


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to for a TCP connection on `port`."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class AddressPolicy:
    """Public addresses pass; loopback, private, link-local, multicast and reserved ones pass only
    when `allow` names their host (exactly, case-insensitively) or a network holding them.

    Args:
        allow: Host names, addresses and CIDR networks (`KOZAK_URL_IMPORT_ALLOW`).
        resolver: `(host, port) -> addresses`; tests substitute a stub.
    """

    def __init__(self, allow: Iterable[str] = (), resolver: Resolver = resolve) -> None:
        self.hosts: set[str] = set()
        self.networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
        for entry in (e.strip() for e in allow):
            try:
                self.networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                self.hosts.add(entry.lower().rstrip("."))
        self.resolver = resolver

    def permits(self, host: str, address: IPAddress) -> bool:
        """Whether a connection to `address`, reached through the name `host`, is allowed."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address.is_global and not address.is_multicast:
            return True
        return host.lower().rstrip(".") in self.hosts or any(address in n for n in self.networks)

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to for `host`.

        Raises:
            AddressRefused: when any address the host resolves to is not permitted (a name with
                one internal answer is refused whole, so a retry cannot land on it).
            OSError: when the name does not resolve.
        """
        found = self.resolver(host.strip("[]"), port)
        for text in found:
            if not self.permits(host, ipaddress.ip_address(text.split("%", 1)[0])):
                raise AddressRefused(f"{host} resolves to a refused address")
        if not found:
            raise OSError(f"{host} does not resolve")
        return found


class _GuardedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses the policy permits, by address, never by name."""

    def __init__(self, policy: AddressPolicy) -> None:
        self.policy = policy
        self.inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            addresses = self.policy.addresses(host, port)
        except OSError as exc:  # as httpx reports a failed connection, so callers see one kind
            raise httpcore.ConnectError(str(exc)) from exc
        last: Exception | None = None
        for address in addresses:
            try:
                return self.inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                last = exc
        assert last is not None  # addresses() never returns an empty list
        raise last

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        raise AddressRefused("URL import never connects to local sockets")

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def guarded_client(policy: AddressPolicy, timeout: float) -> httpx.Client:
    """An HTTP client whose every connection (redirects included) passes `policy`.

    It ignores proxy environment variables: a proxy would connect on the client's behalf,
    past the check.
    """
    transport = httpx.HTTPTransport()
    # httpx takes no network backend, so its pool is replaced by one that has ours.
    transport._pool = httpcore.ConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=_GuardedBackend(policy)
    )
    return httpx.Client(transport=transport, follow_redirects=True, timeout=timeout, trust_env=False)


__all__ = ["AddressPolicy", "AddressRefused", "guarded_client", "resolve"]
