"""A stand-in for Peltarion's `sidekick` 0.3.1 client, which cannot be installed here.

Written for these tests from a reading of sidekick's source (github Peltarion/sidekick, MIT): it
sends the HTTP requests sidekick sends, byte for byte where it matters, and checks answers the
way sidekick checks them, so a test that passes with it passes with sidekick.

- `Deployment(url, token)`: a `requests.Session` with `Authorization: Bearer <token>` and
  `User-Agent: sidekick`; GETs `urljoin(url, "openapi.json")`; reads the feature specs from
  `components.schemas` (`input-row`, `output-row-batch.properties.rows`) and the tensor-JSON
  flag from the forward path; POSTs `{"rows": [...]}` with `json=` in batches of 128; an answer
  with `errorCode` raises `IOError`; every output is decoded and checked by its type and shape.
- `DatasetClient(url, token)`: POST the wrapper, POST each file's raw bytes with the content type
  its extension maps to (up to 10 at once), poll the statuses once a second until none is
  PROCESSING (a FAILED one raises `IOError`), then POST `upload_complete`.
- `create_bundle(path, frame)`: the ZIP `sidekick.create_dataset` writes for in-memory NumPy
  columns: `metadata.json`, one float32 `<column>/<row index>.npy` per cell, `index.csv`.
"""

from __future__ import annotations

import base64
import io
import time
import urllib.parse
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests
from requests.adapters import HTTPAdapter

NPY_MEDIA_TYPE = "application/x.peltarion.npy"
FORWARD = "/deployment/{deploymentId}/forward"


@dataclass(frozen=True)
class FeatureSpec:
    """A feature as the deployment's OpenAPI document declares it."""

    name: str
    dtype: str
    shape: tuple[int, ...]

    @property
    def is_tensor(self) -> bool:
        """sidekick sends a numeric feature of more than one value as an array."""
        return self.dtype == "numeric" and (len(self.shape) > 1 or self.shape[0] > 1)


def _specs(properties: Mapping[str, Any]) -> list[FeatureSpec]:
    return [
        FeatureSpec(name, spec["x-peltarion"]["type"], tuple(spec["x-peltarion"]["shape"]))
        for name, spec in properties.items()
    ]


def _npy_url(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array.astype(np.float32))
    return f"data:{NPY_MEDIA_TYPE};base64," + base64.b64encode(buffer.getvalue()).decode()


def _from_npy_url(value: str) -> np.ndarray:
    head, payload = value.split(",", 1)
    media = head.split(":", 1)[1].split(";", 1)[0]
    if media != NPY_MEDIA_TYPE:
        raise ValueError(f"media type {media}, expected {NPY_MEDIA_TYPE}")
    array: np.ndarray = np.load(io.BytesIO(base64.b64decode(payload)))
    return array


def _session(token: str) -> requests.Session:
    session = requests.Session()
    session.mount("", HTTPAdapter(max_retries=3))
    session.headers.update({"Authorization": f"Bearer {token}", "User-Agent": "sidekick"})
    return session


class Deployment:
    """`sidekick.Deployment`: predictions from a deployment's forward URL and token."""

    BATCH_SIZE = 128

    def __init__(self, url: str, token: str) -> None:
        self.url = url
        self.session = _session(token)
        response = self.session.get(urllib.parse.urljoin(url, "openapi.json"))
        response.raise_for_status()
        document = response.json()
        self.tensor_json = bool(document["paths"][FORWARD]["x-peltarion-tensorjson"])
        schemas = document["components"]["schemas"]
        self.feature_specs_in = _specs(schemas["input-row"]["properties"])
        self.feature_specs_out = _specs(schemas["output-row-batch"]["properties"]["rows"]["properties"])

    def _encode(self, value: Any, spec: FeatureSpec) -> Any:
        if spec.dtype == "numpy" or spec.is_tensor:
            if not isinstance(value, np.ndarray):
                raise TypeError(f"{spec.name}: expected a numpy array, got {type(value)}")
            if value.shape != spec.shape:
                raise ValueError(f"{spec.name}: expected shape {spec.shape}, got {value.shape}")
            if spec.dtype == "numeric" and self.tensor_json:
                array = value.astype(np.float32)
                return {"shape": array.shape, "data": array.flatten().tolist()}
            return _npy_url(value)
        expected = {"numeric": (int, float), "binary": (int, float), "text": str, "categorical": dict}
        if not isinstance(value, expected[spec.dtype]):
            raise TypeError(f"{spec.name}: expected {expected[spec.dtype]}, got {type(value)}")
        return value

    def _decode(self, value: Any, spec: FeatureSpec) -> Any:
        if spec.dtype == "numpy" or spec.is_tensor:
            if spec.dtype == "numeric" and self.tensor_json:
                array = np.array(value["data"], dtype=np.float32).reshape(value["shape"])
            else:
                array = _from_npy_url(value)
            if array.shape != spec.shape:
                raise ValueError(f"{spec.name}: expected shape {spec.shape}, got {array.shape}")
            return array
        if spec.dtype == "categorical":
            if not isinstance(value, dict) or len(value) != spec.shape[0]:
                raise ValueError(f"{spec.name}: expected {spec.shape[0]} class probabilities")
            return value
        if spec.dtype in ("numeric", "binary") and not isinstance(value, int | float):
            raise TypeError(f"{spec.name}: expected a number, got {value!r}")
        return value

    def predict_lazy(self, items: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
        """Predictions, requested 128 items at a time."""
        iterator = iter(items)
        while batch := list(islice(iterator, self.BATCH_SIZE)):
            rows = []
            for item in batch:
                missing = [s.name for s in self.feature_specs_in if s.name not in item]
                if missing:
                    raise ValueError(f"Item is missing feature: {missing[0]}")
                rows.append({s.name: self._encode(item[s.name], s) for s in self.feature_specs_in})
            response = self.session.post(self.url, json={"rows": rows})
            response.raise_for_status()
            answer = response.json()
            if "errorCode" in answer:
                raise OSError(f"{answer['errorCode']}: {answer.get('errorMessage', '')}")
            for row in answer["rows"]:
                yield {s.name: self._decode(row[s.name], s) for s in self.feature_specs_out}

    def predict_many(self, items: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return list(self.predict_lazy(items))

    def predict(self, **item: Any) -> dict[str, Any]:
        return self.predict_many([item])[0]


class DatasetClient:
    """`sidekick.DatasetClient`: uploads files through the Data API into a new dataset."""

    CONTENT_TYPES = {".csv": "text/csv", ".zip": "application/zip", ".npy": "application/npy"}

    def __init__(self, url: str, token: str) -> None:
        self.url = url.rstrip("/")
        self.session = _session(token)

    def upload_data(
        self, paths: list[Path], name: str = "Sidekick upload", description: str = "Sidekick upload"
    ) -> None:
        wrapper = self.session.post(
            self.url,
            headers={"Content-Type": "application/json"},
            json={"name": name, "description": description},
        )
        wrapper.raise_for_status()
        wrapper_id = wrapper.json()["datasetWrapperId"]
        with ThreadPoolExecutor(min(10, len(paths))) as pool:
            uploads = dict(
                zip(pool.map(lambda p: self._stage(p, wrapper_id), paths), paths, strict=True)
            )
        while True:
            statuses = self.session.get(f"{self.url}/{wrapper_id}/uploads")
            statuses.raise_for_status()
            jobs = statuses.json()["uploadStatuses"]
            for job in jobs:
                if job["status"] == "FAILED":
                    raise OSError(
                        f"Error saving file: {uploads[job['uploadId']]}, message: {job.get('message')}"
                    )
            if all(job["status"] == "SUCCESS" for job in jobs):
                break
            time.sleep(1)
        done = self.session.post(
            f"{self.url}/{wrapper_id}/upload_complete", headers={"Content-Type": "application/json"}
        )
        done.raise_for_status()

    def _stage(self, path: Path, wrapper_id: str) -> str:
        response = self.session.post(
            f"{self.url}/{wrapper_id}/upload",
            headers={"Content-Type": self.CONTENT_TYPES[path.suffix]},
            data=path.read_bytes(),
        )
        response.raise_for_status()
        upload_id: str = response.json()["uploadId"]
        return upload_id


def create_bundle(path: Path, frame: pd.DataFrame) -> Path:
    """The ZIP `sidekick.create_dataset(path, frame)` writes when columns hold NumPy arrays."""
    index = frame.copy()
    arrays = [c for c in frame.columns if isinstance(frame[c].iloc[0], np.ndarray)]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("metadata.json", '{ "source" : "sidekick" }')
        for column in arrays:
            for row, value in frame[column].items():
                member = f"{column}/{row}.npy"
                buffer = io.BytesIO()
                np.save(buffer, value.astype(np.float32))
                bundle.writestr(member, buffer.getvalue())
                index.at[row, column] = member
        bundle.writestr("index.csv", index.to_csv(index=False))
    return path
