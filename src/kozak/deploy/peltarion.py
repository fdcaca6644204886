"""A deployment's OpenAPI document as the Peltarion Platform published it, for its clients.

`sidekick.Deployment` GETs `<deployment>/openapi.json` and reads, besides plain OpenAPI, the
`x-peltarion` extension of every input (`components.schemas["input-row"]`) and output
(`components.schemas["output-row-batch"].properties.rows`) feature: a Peltarion type (`numeric`,
`categorical`, `numpy`, `text`, ...) and a shape; and `x-peltarion-tensorjson` on the forward
path, which makes it send numeric arrays as `{"shape", "data"}` rather than NPY data URLs. The
types declare what the model was trained on: a sequence column is text, a sequence imported from
one-hot arrays is `numpy` with the arrays' shape (both are accepted either way).
"""

from __future__ import annotations

from typing import Any

from kozak import __version__
from kozak.data.feature_spec import NUMERIC_TYPES, FeatureSpec, FeatureType
from kozak.deploy.arrays import NPY_MEDIA_TYPE
from kozak.deploy.model import InputField, ServingModel

FORWARD_PATH = "/deployment/{deploymentId}/forward"
_REF = "#/components/schemas/"


def _input_property(field: InputField) -> dict[str, Any]:
    spec = field.spec
    if spec.type is FeatureType.SEQUENCE:
        assert spec.sequence is not None
        letters = f"{spec.sequence.alphabet.upper()} letters, at most {field.sequence_length}"
        if spec.shape:  # imported from one-hot arrays: send them back as arrays
            return _property(
                "numpy",
                list(spec.shape),
                f"a one-hot array (an NPY data URL or tensor JSON), or a string of {letters}",
                {"oneOf": [{"type": "string"}, _TENSOR_JSON]},
            )
        return _property("text", [field.sequence_length], f"a string of {letters}", {"type": "string"})
    if spec.type in NUMERIC_TYPES:
        return _property("numeric", [1], "a number", {"type": "number"})
    if spec.type is FeatureType.CATEGORICAL:
        classes = list(spec.categories or ())
        return _property("categorical", [len(classes)], "one of the classes", {"enum": classes})
    if spec.type is FeatureType.MULTILABEL:
        classes = list(spec.categories or ())
        return _property(
            "text",
            [len(classes)],
            f"labels from {classes} joined by {spec.delimiter!r}",
            {"type": "string"},
        )
    return _property(
        "numeric",
        list(field.shape),
        "an array: tensor JSON or an NPY data URL",
        {"oneOf": [{"type": "string"}, _TENSOR_JSON]},
    )


def _output_property(spec: FeatureSpec, shape: tuple[int, ...]) -> dict[str, Any]:
    if spec.type in NUMERIC_TYPES:
        return _property("numeric", [1], "the prediction, in the target's units", {"type": "number"})
    if spec.type in (FeatureType.CATEGORICAL, FeatureType.MULTILABEL):
        classes = list(spec.categories or ())
        return _property(
            "categorical",
            [len(classes)],
            "class → probability",
            {"type": "object", "additionalProperties": {"type": "number"}},
        )
    return _property("numeric", list(shape), "an array", {"type": "array"})


_TENSOR_JSON = {
    "type": "object",
    "required": ["shape", "data"],
    "properties": {
        "shape": {"type": "array", "items": {"type": "integer"}},
        "data": {"type": "array", "items": {"type": "number"}},
    },
}


def _property(kind: str, shape: list[int], what: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {**schema, "description": what, "x-peltarion": {"type": kind, "shape": shape}}


def _object(properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": list(properties), "properties": properties}


def openapi_document(model: ServingModel, deployment_id: str) -> dict[str, Any]:
    """The deployment's OpenAPI 3 document with Peltarion's extensions (see the module doc)."""
    inputs = {name: _input_property(field) for name, field in model.inputs.items()}
    outputs = {
        name: _output_property(spec, model.model.output_shapes[name])
        for name, spec in model.targets.items()
    }
    rows_of = {"type": "array", "items": {"$ref": _REF + "output-row"}}
    bearer = {"type": "http", "scheme": "bearer"}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": f"Deployment {deployment_id}",
            "version": __version__,
            "description": "Predictions of a Kozak deployment. Arrays are sent as tensor JSON "
            f'{{"shape": [...], "data": [...]}} or as data:{NPY_MEDIA_TYPE};base64 URLs.',
        },
        "servers": [{"url": "/"}],
        "paths": {
            FORWARD_PATH: {
                "x-peltarion-tensorjson": True,
                "parameters": [
                    {
                        "name": "deploymentId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "enum": [deployment_id]},
                    }
                ],
                "post": {
                    "summary": "Predictions for a batch of rows",
                    "security": [{"bearer": []}, {"basic": []}],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": _REF + "input-row-batch"}}},
                    },
                    "responses": {
                        "200": {
                            "description": "One output row per input row, in order.",
                            "content": {
                                "application/json": {"schema": {"$ref": _REF + "output-row-batch"}}
                            },
                        },
                        "401": {"description": "Missing or wrong deployment token."},
                        "403": {"description": "The deployment is disabled."},
                        "422": {"description": "A row that cannot be read; the message names it."},
                    },
                },
            }
        },
        "components": {
            "securitySchemes": {"bearer": bearer, "basic": {"type": "http", "scheme": "basic"}},
            "schemas": {
                "input-row": _object(inputs),
                "input-row-batch": _object(
                    {"rows": {"type": "array", "items": {"$ref": _REF + "input-row"}}}
                ),
                "output-row": _object(outputs),
                # Peltarion's clients read the output features from `rows.properties`.
                "output-row-batch": _object({"rows": {**rows_of, "properties": outputs}}),
            },
        },
    }
