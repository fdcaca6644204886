"""Error responses back into errors: the `KozakError` subclass an `{"error": {...}}` body names.

Both REST clients (`kozak.client`, `kozak.deployment_client`) raise through `raise_for_error`, so
a caller catches the same classes the library raises, with the server's message and details.
"""

from __future__ import annotations

import httpx

from kozak.errors import KozakError


def _error_classes() -> dict[str, type[KozakError]]:
    found: dict[str, type[KozakError]] = {}
    pending: list[type[KozakError]] = [KozakError]
    while pending:
        cls = pending.pop()
        found.setdefault(cls.code, cls)
        pending.extend(cls.__subclasses__())
    return found


def raise_for_error(response: httpx.Response) -> None:
    """Raise the `KozakError` an error response describes."""
    if response.is_success:
        return
    try:
        error = response.json()["error"]
    except (ValueError, KeyError, TypeError):
        raise KozakError(f"HTTP {response.status_code}: {response.text[:200]}") from None
    cls = _error_classes().get(error.get("code", ""), KozakError)
    raise cls(error.get("message", ""), **(error.get("details") or {}))
