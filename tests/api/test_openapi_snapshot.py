"""The web UI's typed client is generated from a committed copy of the OpenAPI schema.

When a route or schema changes, that copy (and the TypeScript types made from it) must be
regenerated with `make api-types`; this test fails until it is.
"""

from __future__ import annotations

from kozak.server.openapi import UI_SCHEMA, openapi_schema, schema_text


def test_the_ui_schema_copy_matches_the_app() -> None:
    assert UI_SCHEMA.exists(), f"{UI_SCHEMA} is missing; run `make api-types`"
    current = schema_text(openapi_schema())
    assert UI_SCHEMA.read_text(encoding="utf-8") == current, (
        "the API changed since the UI's client was generated; run `make api-types` and commit "
        "frontend/src/api/openapi.json and frontend/src/api/schema.d.ts"
    )
