"""Reading deployment requests: size-limited JSON bodies and form posts into rows.

Everything a client can get wrong becomes a `DataError` (HTTP 422, as the deployment contract
promises) whose message says what was expected: an oversized or malformed body, JSON nested too
deeply, a body that is not `{"rows": [...]}`, too many rows. None of them reaches the model.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kozak.errors import DataError

ROWS_SHAPE = '{"rows": [{"<feature>": <value>, ...}, ...]}'


def too_large(size: int, limit: int) -> DataError:
    """The error for a body over the limit."""
    return DataError(
        f"the request body is {size} bytes; a deployment accepts at most {limit} "
        "(send fewer rows per request)",
        limit=limit,
    )


def parse_json(body: bytes, *, max_bytes: int) -> Any:
    """The JSON value of a request body.

    Raises:
        DataError: If the body is over `max_bytes`, not UTF-8 JSON, or nested too deeply.
    """
    if len(body) > max_bytes:
        raise too_large(len(body), max_bytes)
    try:
        return json.loads(body)
    except RecursionError:
        raise DataError("the request JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise DataError(f"the request body is not valid JSON ({exc}); expected {ROWS_SHAPE}") from None


def request_rows(payload: Any, *, max_rows: int) -> list[Any]:
    """The `rows` list of a parsed request.

    Raises:
        DataError: If the payload is not an object with a non-empty `rows` list, or holds more
            than `max_rows` rows.
    """
    rows = payload.get("rows") if isinstance(payload, Mapping) else None
    if not isinstance(rows, list):
        raise DataError(f"the request body must be a JSON object {ROWS_SHAPE}")
    if not rows:
        raise DataError("'rows' is empty: send at least one row")
    if len(rows) > max_rows:
        raise DataError(
            f"the request holds {len(rows)} rows; a deployment accepts at most {max_rows} per "
            "request (split it into batches)",
            limit=max_rows,
        )
    return rows


def form_row(form: Mapping[str, Any], numeric: set[str]) -> dict[str, Any]:
    """One row from a form post: text fields, with numeric features read as numbers.

    Raises:
        DataError: If a numeric feature's field is not a number.
    """
    row: dict[str, Any] = {}
    for key, value in form.items():
        if not isinstance(value, str):
            raise DataError(f"form field {key!r} must be text, not a file", feature=key)
        if key in numeric:
            try:
                row[key] = float(value)
            except ValueError:
                raise DataError(f"form field {key!r}: {value!r} is not a number", feature=key) from None
        else:
            row[key] = value
    return row
