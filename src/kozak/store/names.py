"""Free names: a new entity takes `base`, or `base-2`, `base-3`, … whichever is not taken yet."""

from __future__ import annotations


def free_name(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`, … whichever is not in `taken`."""
    name, k = base, 2
    while name in taken:
        name, k = f"{base}-{k}", k + 1
    return name
