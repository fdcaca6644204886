"""The deployment endpoints clients call: forward, variant effect, design, explain and the input
schema.

Peltarion's contract, kept so its clients work: `POST /deployment/<id>/forward` with
`{"rows": [{"<feature>": value, ...}]}` (or a form post of one example) and the deployment's
token as Bearer or HTTP Basic user name; the answer is `{"rows": [{"<target>": prediction}]}`,
plus a `warnings` list only when the model changed an input it accepted (a sequence longer than
its window, cut to fit), so that answers to well-formed requests are exactly Peltarion's;
`GET /deployment/<id>/openapi.json` describes it with Peltarion's extensions (`sidekick` reads
them), and errors carry Peltarion's `errorCode` and `errorMessage` beside Kozak's `error`.
The body is read by hand, with a size limit, so that every bad request is a 422 that names its
row and feature before the model runs. Both the platform and `kozak serve` mount this router;
`app.state.serving` (a `ServingBackend`) decides which model answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Coroutine
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.formparsers import FormParser, MultiPartParser

from kozak.data.feature_spec import NUMERIC_TYPES
from kozak.deploy import variants
from kozak.deploy.host import Served, ServingBackend, answer_rows
from kozak.deploy.peltarion import openapi_document
from kozak.deploy.requests import (
    form_row,
    parse_json,
    read_body,
    request_rows,
    variant_request,
)
from kozak.deploy.scoring import SequenceScorer
from kozak.deploy.tokens import token_from_authorization
from kozak.design import DesignSettings, run_design
from kozak.errors import DataError, KozakError, invalid_config
from kozak.interpret import ExplainRequest, explain, open_scorer


class _PeltarionErrors(APIRoute):
    """Renders a route's `KozakError` with Peltarion's `errorCode`/`errorMessage` added."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except KozakError as exc:
                body = {**exc.to_dict(), "errorCode": exc.code, "errorMessage": exc.message}
                return JSONResponse(body, status_code=exc.http_status)

        return route


router = APIRouter(tags=["serving"], route_class=_PeltarionErrors)

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_ROWS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {"rows": {"type": "array", "items": {"type": "object"}}},
                },
                "example": {"rows": [{"seq": "ACGTTGCA"}]},
            },
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    }
}
_VARIANTS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["variants"]},
                "example": {
                    "variants": [
                        {"reference": "ACGTATGC", "alternative": "ACGTTTGC"},
                        {"reference": "ACGTATGC", "substitutions": ["A5T"]},
                    ]
                },
            }
        },
    }
}


def _backend(request: Request) -> ServingBackend:
    backend: ServingBackend = request.app.state.serving
    return backend


async def _open(request: Request, deployment_id: str) -> tuple[ServingBackend, Served]:
    backend = _backend(request)
    token = token_from_authorization(request.headers.get("authorization"))
    return backend, await backend.open(deployment_id, token)


async def _form(request: Request, limit: int) -> FormData:
    """A form post, read within `limit` bytes whether or not it declares a Content-Length."""
    body = await read_body(request.headers.get("content-length"), request.stream(), limit)

    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    if request.headers.get("content-type", "").startswith("multipart/"):
        return await MultiPartParser(request.headers, once(), max_files=0).parse()
    return await FormParser(request.headers, once()).parse()


async def _json(request: Request, backend: ServingBackend) -> Any:
    limit = backend.max_body_bytes
    body = await read_body(request.headers.get("content-length"), request.stream(), limit)
    return parse_json(body, max_bytes=limit)


def _answer(payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload, allow_nan=False), media_type="application/json")


async def _timed(
    backend: ServingBackend,
    deployment_id: str,
    work: Callable[[], Awaitable[dict[str, Any]]],
    rows_of: Callable[[dict[str, Any]], int],
) -> dict[str, Any]:
    """Run `work()` and count it in the deployment's usage, as an error when it raises."""
    started = time.perf_counter()
    try:
        result = await work()
    except KozakError:
        backend.record(deployment_id, rows=0, latency_ms=_ms(started), error=True)
        raise
    backend.record(deployment_id, rows=rows_of(result), latency_ms=_ms(started), error=False)
    return result


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


@router.post("/deployment/{deployment_id}/forward", openapi_extra=_ROWS_BODY)
async def forward(deployment_id: str, request: Request) -> Response:
    """Predictions for `{"rows": [...]}` (or one form-posted example): `{"rows": [...]}`, with
    `warnings` when a sequence was longer than the model's window."""
    backend, served = await _open(request, deployment_id)

    async def work() -> dict[str, Any]:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(_FORM_TYPES):
            numeric = {n for n, f in served.model.inputs.items() if f.spec.type in NUMERIC_TYPES}
            rows: list[Any] = [form_row(await _form(request, backend.max_body_bytes), numeric)]
        else:
            rows = request_rows(await _json(request, backend), max_rows=backend.max_rows)
        return answer_rows(served, rows, await served.predict(rows))

    return _answer(await _timed(backend, deployment_id, work, lambda r: len(r["rows"])))


@router.post("/deployment/{deployment_id}/variant-effect", openapi_extra=_VARIANTS_BODY)
async def variant_effect(deployment_id: str, request: Request) -> Response:
    """Predicted effect of sequence variants: alternative minus reference, per target.

    Body: `{"variants": [{"reference": SEQ, "alternative": SEQ} | {"reference": SEQ,
    "substitutions": ["A12G", ...]}], "feature": NAME (optional), "context": {other inputs}}`.
    """
    backend, served = await _open(request, deployment_id)

    async def work() -> dict[str, Any]:
        asked = variant_request(await _json(request, backend), max_rows=backend.max_rows)
        feature = variants.sequence_feature(served.model, asked.feature)
        rows, alternatives = variants.variant_rows(asked.variants, feature, asked.context)
        predictions = await served.predict(rows)
        return {"variants": variants.effects(served.model, predictions, alternatives)}

    return _answer(await _timed(backend, deployment_id, work, lambda r: 2 * len(r["variants"])))


DEPLOYED_DESIGN_ROUNDS = 20  # a request waits for its design: keep it to seconds, not minutes
DEPLOYED_DESIGN_STARTS = 100
_DESIGN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["sequences"]},
                "example": {
                    "sequences": ["ACGTTGCAAT"],
                    "settings": {"rounds": 5, "constraints": {"forbidden_motifs": ["ATG"]}},
                },
            }
        },
    }
}


@router.post("/deployment/{deployment_id}/design", openapi_extra=_DESIGN_BODY)
async def design(deployment_id: str, request: Request) -> Response:
    """Evolve sequences with the deployed model, within bounded rounds and starts.

    Body: `{"sequences": [SEQ, ...], "names": [...] (optional), "settings": DesignSettings}`;
    at most 100 starts (and the deployment's row limit) and 20 rounds. The answer is the
    design result: each design with its edits and trajectory, and every round's predictions.
    """
    backend, served = await _open(request, deployment_id)

    async def work() -> dict[str, Any]:
        body = await _json(request, backend)
        if not isinstance(body, dict) or not isinstance(body.get("sequences"), list):
            raise DataError("send {'sequences': [...], 'settings': {...}}", field="sequences")
        sequences, names = body["sequences"], body.get("names")
        limit = min(DEPLOYED_DESIGN_STARTS, backend.max_rows)
        if len(sequences) > limit:
            raise DataError(f"{len(sequences)} sequences; at most {limit}", field="sequences")
        bad = next((i for i, s in enumerate(sequences) if not isinstance(s, str)), None)
        if bad is not None:
            raise DataError(f"sequence {bad} is not a string", field="sequences", row=bad)
        if names is not None and (
            not isinstance(names, list) or not all(isinstance(n, str) for n in names)
        ):
            raise DataError("names must be a list of strings, one per sequence", field="names")
        try:
            settings = DesignSettings.model_validate(body.get("settings") or {})
        except ValidationError as exc:
            raise invalid_config(exc, "design settings") from None
        if settings.rounds > DEPLOYED_DESIGN_ROUNDS:
            raise DataError(
                f"settings.rounds {settings.rounds}: a deployment designs at most "
                f"{DEPLOYED_DESIGN_ROUNDS} rounds; run longer designs in the platform",
                field="settings.rounds",
            )
        scorer = SequenceScorer(served.model, settings.feature, settings.context)
        result = await run_in_threadpool(
            run_design, [scorer], sequences, settings, names=names, models=[deployment_id]
        )
        return result.model_dump(mode="json")

    return _answer(await _timed(backend, deployment_id, work, lambda r: r["candidates_scored"]))


_EXPLAIN_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {"type": "object", "required": ["sequences"]},
                "example": {"sequences": ["ACGTTGCAAT"], "method": "ism"},
            }
        },
    }
}


@router.post("/deployment/{deployment_id}/explain", openapi_extra=_EXPLAIN_BODY)
async def explain_sequences(deployment_id: str, request: Request) -> Response:
    """Why the deployed model predicts what it does, per sequence and letter.

    Body: `{"sequences": [SEQ, ...], "method": "ism" | "saliency" | "input_x_gradient" | "ig" |
    "deeplift" | "deepshap", "target", "class_name", ... }` (the settings of
    `kozak.interpret.ExplainSettings`, flat); at most 200 sequences and the deployment's row
    limit. The answer is the explanation: each sequence's letters × positions matrix in the
    user's coordinates.
    """
    backend, served = await _open(request, deployment_id)

    async def work() -> dict[str, Any]:
        try:
            asked = ExplainRequest.model_validate(await _json(request, backend))
        except ValidationError as exc:
            raise invalid_config(exc, "explain request") from None
        if len(asked.sequences) > backend.max_rows:
            raise DataError(
                f"{len(asked.sequences)} sequences; this deployment takes at most {backend.max_rows}",
                field="sequences",
            )
        settings = asked.settings()
        scorer = open_scorer(served.model, settings)
        result = await run_in_threadpool(explain, scorer, asked.sequences, settings)
        return result.model_dump(mode="json")

    return _answer(await _timed(backend, deployment_id, work, lambda r: len(r["sequences"])))


@router.get("/deployment/{deployment_id}/schema")
async def schema(deployment_id: str, request: Request) -> dict[str, Any]:
    """What rows must hold and what predictions hold, plus the request limits."""
    backend, served = await _open(request, deployment_id)
    return {
        **served.model.schema(),
        "max_rows": backend.max_rows,
        "max_body_bytes": backend.max_body_bytes,
    }


@router.get("/deployment/{deployment_id}/openapi.json")
async def openapi(deployment_id: str, request: Request) -> dict[str, Any]:
    """The deployment's OpenAPI document with Peltarion's `x-peltarion` extensions."""
    _, served = await _open(request, deployment_id)
    return openapi_document(served.model, deployment_id)
