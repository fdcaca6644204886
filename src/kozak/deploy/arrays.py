"""Array values in deployment requests, in the three forms clients send them.

Nested JSON lists (Kozak's own clients); Peltarion's tensor JSON `{"shape": [...], "data": [...]}`
(flat, row-major, what sidekick sends when the schema says `x-peltarion-tensorjson`); and an NPY
file as a data URL, `data:application/x.peltarion.npy;base64,...` (what sidekick sends
otherwise). `array_value` turns any of them into a float32 array, or says why it cannot.
"""

from __future__ import annotations

import base64
import binascii
import io
from collections.abc import Mapping
from typing import Any

import numpy as np

NPY_MEDIA_TYPE = "application/x.peltarion.npy"


class ArrayFormatError(ValueError):
    """A value in an array form that cannot be read; the message says what was wrong."""


def is_array_form(value: Any) -> bool:
    """Whether `value` is sent as an array (a list, a tensor-JSON object or a data URL)."""
    return isinstance(value, list | Mapping) or (isinstance(value, str) and value.startswith("data:"))


def array_value(value: Any) -> np.ndarray:
    """The float32 array a request value holds.

    Raises:
        ArrayFormatError: If the value is in none of the array forms, or a broken one.
    """
    if isinstance(value, str) and value.startswith("data:"):
        return _npy_data_url(value)
    if isinstance(value, Mapping):
        return _tensor_json(value)
    if isinstance(value, list):
        try:
            return np.asarray(value, dtype=np.float32)
        except (TypeError, ValueError):
            raise ArrayFormatError("nested lists that are not a rectangular array of numbers") from None
    raise ArrayFormatError(f"{type(value).__name__} is not an array")


def _tensor_json(value: Mapping[str, Any]) -> np.ndarray:
    shape, data = value.get("shape"), value.get("data")
    if set(value) != {"shape", "data"} or not isinstance(shape, list) or not isinstance(data, list):
        raise ArrayFormatError('a tensor object must be {"shape": [sizes], "data": [numbers]}')
    try:
        flat = np.asarray(data, dtype=np.float32)
        return flat.reshape([int(size) for size in shape])
    except (TypeError, ValueError):
        raise ArrayFormatError(
            f"tensor 'data' must hold prod(shape) numbers: shape {shape} and {len(data)} values"
        ) from None


def _npy_data_url(value: str) -> np.ndarray:
    header, _, payload = value.partition(",")
    media = header.removeprefix("data:").split(";")
    if media[0] != NPY_MEDIA_TYPE or "base64" not in media[1:]:
        raise ArrayFormatError(f"an array data URL must start 'data:{NPY_MEDIA_TYPE};base64,'")
    try:
        array = np.load(io.BytesIO(base64.b64decode(payload, validate=True)), allow_pickle=False)
    except (binascii.Error, ValueError, OSError, EOFError) as exc:
        raise ArrayFormatError(f"the data URL is not a base64 NPY file ({exc})") from None
    if not isinstance(array, np.ndarray) or array.dtype.kind not in "biuf":
        raise ArrayFormatError("the NPY file must hold one numeric array")
    return array.astype(np.float32)
