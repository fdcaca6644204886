"""Reading deployment requests: size-limited JSON bodies and form posts into rows.

Everything a client can get wrong becomes a `DataError` (HTTP 422, as the deployment contract
promises) whose message says what was expected: an oversized or malformed body, JSON nested too
deeply, a body that is not `{"rows": [...]}` (or `{"variants": [...]}`), too many rows. None of
them reaches the model.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterable, Mapping
from dataclasses import dataclass
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


def refuse_declared(content_length: str | None, limit: int) -> None:
    """Refuse a body whose declared Content-Length is over `limit`, before reading it.

    Raises:
        DataError: If it is.
    """
    if content_length and content_length.isdigit() and int(content_length) > limit:
        raise too_large(int(content_length), limit)


async def read_body(content_length: str | None, chunks: AsyncIterable[bytes], limit: int) -> bytes:
    """A request body read chunk by chunk, stopping as soon as it is over `limit` bytes.

    Raises:
        DataError: If the declared or the actual size is over `limit`.
    """
    refuse_declared(content_length, limit)
    parts, size = [], 0
    async for chunk in chunks:
        size += len(chunk)
        if size > limit:
            raise too_large(size, limit)
        parts.append(chunk)
    return b"".join(parts)


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


@dataclass(frozen=True)
class VariantRequest:
    """A variant-effect request: the variants, the sequence feature they change (None: the
    model's only one) and the values of the model's other inputs."""

    variants: list[Any]
    feature: Any
    context: dict[str, Any]


def variant_request(payload: Any, *, max_rows: int) -> VariantRequest:
    """The parts of a parsed variant-effect body; each variant costs two rows.

    Raises:
        DataError: If the body is not `{"variants": [...]}`, holds no variants or more than
            `max_rows // 2`, or its `context` is not an object.
    """
    if not isinstance(payload, dict) or not isinstance(payload.get("variants"), list):
        raise DataError('the body must be a JSON object {"variants": [{"reference": ..., ...}]}')
    found = payload["variants"]
    if not found or 2 * len(found) > max_rows:
        raise DataError(f"send between 1 and {max_rows // 2} variants per request")
    context = payload.get("context") or {}
    if not isinstance(context, dict):
        raise DataError("'context' must be an object of the model's other inputs")
    return VariantRequest(found, payload.get("feature"), context)
