"""Bodies and fields have limits: the request body, every string of every request schema, headers.

The meta-test reads the app's OpenAPI schema, so a new request field without a maximum length
fails here the day it is added.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from factories import ADMIN_PASSWORD, UserClient
from kozak.settings import Settings

LIMIT = Settings.model_fields["max_request_body_bytes"].default


def _strings_without_max_length(schema: dict[str, Any], components: dict[str, Any]) -> Iterator[str]:
    """Paths (`Model.field[]...`) of string schemas under `schema` that set no `maxLength`."""
    pending: list[tuple[dict[str, Any], str]] = [(schema, "body")]
    seen: set[str] = set()
    while pending:
        node, where = pending.pop()
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                seen.add(name)
                pending.append((components[name], name))
            continue
        if node.get("type") == "string" and not {"maxLength", "enum", "const"} & set(node):
            yield where
        for key in ("anyOf", "oneOf", "allOf"):
            pending += [(sub, where) for sub in node.get(key, [])]
        pending += [(sub, f"{where}.{name}") for name, sub in node.get("properties", {}).items()]
        for key, suffix in (("items", "[]"), ("additionalProperties", "{}")):
            if isinstance(node.get(key), dict):
                pending.append((node[key], where + suffix))


def test_every_string_of_every_request_body_has_a_maximum_length(app: FastAPI) -> None:
    spec = app.openapi()
    components = spec["components"]["schemas"]
    bodies = [
        (f"{method.upper()} {path}", content["application/json"]["schema"])
        for path, operations in spec["paths"].items()
        for method, operation in operations.items()
        if "application/json" in (content := operation.get("requestBody", {}).get("content", {}))
    ]
    assert len(bodies) > 20  # the walk sees the app's bodies
    missing = {
        f"{route}: {field}"
        for route, body in bodies
        for field in _strings_without_max_length(body, components)
    }
    assert not missing, "request strings without max_length:\n" + "\n".join(sorted(missing))


def test_login_fields_are_bounded_before_any_hashing(test_client: TestClient) -> None:
    answer = test_client.post("/api/auth/login", json={"name": "admin", "password": "x" * 100_000})
    assert answer.status_code == 422 and "password" in answer.json()["error"]["message"]


def test_a_json_body_over_the_limit_is_refused_by_its_length(client: UserClient) -> None:
    body = b'{"name": "' + b"x" * LIMIT + b'"}'
    answer = client.post("/api/projects", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert "KOZAK_MAX_REQUEST_BODY_BYTES" in answer.json()["error"]["message"]


def test_a_chunked_body_over_the_limit_is_stopped(client: UserClient) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts what arrives
        yield b'{"name": "'
        for _ in range(LIMIT // 65536 + 8):
            yield b"x" * 65536
        yield b'"}'

    answer = client.post("/api/projects", content=chunks(), headers={"Content-Type": "application/json"})
    assert answer.status_code == 413, answer.text
    assert answer.json()["error"]["code"] == "limit_exceeded"


def test_non_ascii_csrf_token_is_a_403(test_client: TestClient) -> None:
    login = test_client.post("/api/auth/login", json={"name": "admin", "password": ADMIN_PASSWORD})
    assert login.status_code == 200
    answer = test_client.post(
        "/api/projects", json={"name": "Lab"}, headers={"X-CSRF-Token": "é".encode()}
    )
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"]["code"] == "forbidden"
