"""`Deployment`: a Python client of one deployment's endpoints (forward, schema, variant effect).

Made with `Client(url, token).deployment(id)` or directly as `Deployment(url, token)` from the
URL the platform shows (`…/deployment/<id>/forward` or `…/deployment/<id>`). Requests share one
persistent connection; every call retries connection errors, 5xx and 429 with backoff (never
other 4xx); `predict_many` sends batches. Errors are the `KozakError` classes the server names,
and a 422 names the row counted from the first row given, not from the start of its batch.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

import httpx

from kozak.errors import InvalidConfig, KozakError, NetworkError
from kozak.http_errors import raise_for_error
from kozak.prediction_columns import free_prefix, prediction_columns

if TYPE_CHECKING:
    import pandas as pd

Row = Mapping[str, Any]
TOKEN_VARIABLE = "KOZAK_DEPLOYMENT_TOKEN"
_URL = re.compile(r"^(?P<base>https?://.+/deployment/(?P<id>[^/?#]+))(?:/forward)?/?$")
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
RETRIES = 3  # further attempts of a request; every endpoint is safe to repeat
MAX_WAIT_S = 30.0  # longest pause between retries, whatever Retry-After asks


def deployment_url(url: str) -> tuple[str, str]:
    """(base URL, deployment id) of a deployment's forward or base URL.

    Raises:
        InvalidConfig: If `url` is not `http(s)://HOST[/prefix]/deployment/<id>[/forward]`.
    """
    found = _URL.match(url.strip())
    if found is None:
        raise InvalidConfig(
            f"{url!r} is not a deployment URL; expected http(s)://HOST/deployment/<id>/forward "
            "as the deployment's page shows it",
            url=url,
        )
    return found["base"], found["id"]


def _shift_rows(error: KozakError, offset: int) -> KozakError:
    """The same error with its `row` counted `offset` rows further."""
    row = error.details.get("row")
    if not offset or not isinstance(row, int):
        return error
    message = re.sub(rf"^row {row}\b", f"row {row + offset}", error.message)
    return type(error)(message, **{**error.details, "row": row + offset})


class Deployment:
    """One deployment of a Kozak server (or of `kozak serve`).

    Args:
        url: The deployment's URL, `http(s)://HOST/deployment/<id>` with or without `/forward`.
        token: Its token; default `KOZAK_DEPLOYMENT_TOKEN`.
        timeout: Seconds per request.
        backoff_s: First wait before a retry; doubled on each further one.
        http: An httpx client to share (its base URL must be the server's root); one is made,
            and closed with this object, when None.
        transport: An httpx transport for the client made here (tests pass mock transports).
    """

    def __init__(
        self,
        url: str,
        token: str | None = None,
        *,
        timeout: float = 60.0,
        backoff_s: float = 0.5,
        http: httpx.Client | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        base, self.id = deployment_url(url)
        token = token or os.environ.get(TOKEN_VARIABLE)
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.backoff_s = backoff_s
        self._owned = http is None
        if http is None:
            self.path = ""
            self.http = httpx.Client(base_url=base, timeout=timeout, transport=transport)
        else:
            self.path = base.removeprefix(str(http.base_url).rstrip("/"))
            self.http = http
        self._schema: dict[str, Any] | None = None

    def __repr__(self) -> str:
        return f"Deployment({self.id!r})"

    def close(self) -> None:
        """Close the connection (a shared client's stays open)."""
        if self._owned:
            self.http.close()

    def __enter__(self) -> Deployment:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def _request(self, method: str, path: str, *, retries: int = RETRIES, **kwargs: Any) -> Any:
        """One call, retried on connection errors, 5xx and 429; the decoded JSON body."""
        attempt = 0
        while True:
            final = attempt >= retries
            try:
                response = self.http.request(method, self.path + path, headers=self._headers, **kwargs)
            except httpx.TransportError as exc:
                if final:
                    raise NetworkError(
                        f"cannot reach deployment {self.id} at {self.http.base_url}: {exc}"
                    ) from exc
                wait = self.backoff_s * 2**attempt
            else:
                if final or response.status_code not in _RETRY_STATUS:
                    raise_for_error(response)
                    return response.json()
                wait = max(self.backoff_s * 2**attempt, _retry_after(response))
            time.sleep(min(wait, MAX_WAIT_S))
            attempt += 1

    def schema(self) -> dict[str, Any]:
        """What rows must hold (`inputs`), what predictions hold (`outputs`), and the limits."""
        found: dict[str, Any] = self._request("GET", "/schema")
        self._schema = found
        return found

    def predict(
        self, rows: Sequence[Row], *, first_row: int = 0, retries: int = RETRIES
    ) -> list[dict[str, Any]]:
        """Predictions for rows keyed by input feature name, one dict per row.

        Args:
            rows: e.g. `[{"seq": "ACGT...", "count": 3}]`; sequences as plain strings.
            first_row: Index of `rows[0]` in the caller's data, for the row errors name.
            retries: Further attempts after a connection error, 5xx or 429.

        Raises:
            DataError: (422) A row lacks a feature or holds a wrong value; `details["row"]`.
            NotAuthenticated: (401) A missing or wrong token.
            Forbidden: (403) The deployment is disabled.
            NotFound: (404) No such deployment.
            NetworkError: The server cannot be reached.
        """
        try:
            found: list[dict[str, Any]] = self._request(
                "POST", "/forward", json={"rows": list(rows)}, retries=retries
            )["rows"]
        except KozakError as exc:
            raise _shift_rows(exc, first_row) from None
        return found

    def predict_many(
        self, rows: Iterable[Row], batch_size: int = 1024, retries: int = RETRIES
    ) -> Iterator[dict[str, Any]]:
        """Predictions for any number of rows (a list or a generator), sent `batch_size` at a time.

        Yields one prediction per row, in order, as each batch comes back. A 422 names the row
        counted from the first of `rows`.
        """
        if batch_size < 1:
            raise InvalidConfig(f"batch_size must be at least 1, not {batch_size}")
        source = iter(rows)
        done = 0
        while batch := list(islice(source, batch_size)):
            yield from self.predict(batch, first_row=done, retries=retries)
            done += len(batch)

    def predict_frame(
        self, frame: pd.DataFrame, prefix: str = "", batch_size: int = 1024, retries: int = RETRIES
    ) -> pd.DataFrame:
        """A copy of `frame` with prediction columns added (see `prediction_columns`).

        Only the model's input columns are sent; missing values go as missing (a 422 naming
        the row). Prediction columns get `prefix`, default `predicted_` on a clash.
        """
        import pandas as pd

        names = [field["name"] for field in (self._schema or self.schema())["inputs"]]
        sent = frame[[name for name in names if name in frame.columns]]
        rows = (
            {str(key): None if pd.api.types.is_scalar(value) and pd.isna(value) else value
             for key, value in record.items()}
            for record in sent.to_dict("records")
        )  # fmt: skip
        predictions = [prediction_columns(p) for p in self.predict_many(rows, batch_size, retries)]
        result = frame.copy()
        if not predictions:
            return result
        prefix = free_prefix(predictions[0], frame.columns, prefix)
        added = pd.DataFrame(predictions, index=frame.index).add_prefix(prefix)
        return pd.concat([result, added], axis=1)

    def variant_effect(
        self,
        variants: Sequence[Mapping[str, Any]],
        feature: str | None = None,
        context: Mapping[str, Any] | None = None,
    ) -> list[dict[str, Any]]:
        """Predicted effect (alternative minus reference) of sequence variants, per target.

        Args:
            variants: `{"reference": SEQ, "alternative": SEQ}` or `{"reference": SEQ,
                "substitutions": ["A12G", ...]}` each.
            feature: The sequence input varied (default: the model's only one).
            context: Values of the model's other inputs, the same for every variant.
        """
        body: dict[str, Any] = {"variants": list(variants)}
        if feature is not None:
            body["feature"] = feature
        if context is not None:
            body["context"] = dict(context)
        found: list[dict[str, Any]] = self._request("POST", "/variant-effect", json=body)["variants"]
        return found

    def explain(self, sequences: Sequence[str], method: str = "ism", **settings: Any) -> dict[str, Any]:
        """Why the deployed model predicts what it does for each sequence (see
        `kozak.client.Project.explain`; at most 200 sequences and the deployment's row limit)."""
        body = {"sequences": list(sequences), "method": method, **settings}
        found: dict[str, Any] = self._request("POST", "/explain", json=body)
        return found


def _retry_after(response: httpx.Response) -> float:
    """Seconds a 429 or 503 asks to wait (`Retry-After: <seconds>`), else 0."""
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else 0.0
