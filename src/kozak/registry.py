"""A typed name → object registry used for blocks, file formats, losses and the like.

Lookups of unknown names fail with the list of valid names; built-ins and plugins register
through the same `register` path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from kozak.errors import InvalidConfig

T = TypeVar("T")


class Registry(Generic[T]):
    """Maps user-facing names to objects of one kind."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}

    def register(self, name: str, item: T) -> T:
        """Add `item` under `name`; a name can be registered once."""
        if name in self._items:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._items[name] = item
        return item

    def decorator(self, name: str) -> Callable[[T], T]:
        """`@registry.decorator("name")` registers the decorated object."""
        return lambda item: self.register(name, item)

    def unregister(self, name: str) -> None:
        """Remove a name (for tests and plugin reloads)."""
        self._items.pop(name, None)

    def get(self, name: str) -> T:
        """The object under `name`, or `InvalidConfig` listing the valid names."""
        try:
            return self._items[name]
        except KeyError:
            valid = ", ".join(sorted(self._items)) or "(none)"
            raise InvalidConfig(
                f"unknown {self.kind} {name!r}; valid: {valid}", kind=self.kind, name=name
            ) from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._items)
