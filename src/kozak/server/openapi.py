"""The server's OpenAPI schema as stable JSON, for the web UI's generated TypeScript client.

`python -m kozak.server.openapi [PATH]` writes it to PATH (default: the copy the UI is built
from, `frontend/src/api/openapi.json`); `tests/api/test_openapi_snapshot.py` fails when that
copy no longer matches the app.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from kozak.server.app import create_app
from kozak.settings import Settings

UI_SCHEMA = Path(__file__).resolve().parents[3] / "frontend" / "src" / "api" / "openapi.json"


def openapi_schema() -> dict[str, Any]:
    """The schema of an app built with default settings (routes do not depend on settings)."""
    app = create_app(Settings(home=Path("/nonexistent-kozak-home")), start_runner=False)
    return app.openapi()


def schema_text(schema: dict[str, Any]) -> str:
    """Sorted, indented JSON, so regenerating an unchanged schema changes no byte."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else UI_SCHEMA
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema_text(openapi_schema()), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
