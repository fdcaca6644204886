"""Schemathesis over a real `kozak up` whose workspace is seeded, with the seeded objects' ids.

`seeded_server(folder, tiny_dna)` seeds a workspace (tests/seeded.py) and starts a server on it
(no training workers: queued jobs stay queued). `Fuzzer(server, seeded)` loads the OpenAPI
document the server publishes and, per operation, generates requests with Schemathesis: every
path parameter fixed to a real object (a spare for routes that consume theirs), sent with the
project owner's API token (a deployment's own token on `/deployment/...`). Each answer must not
be a server error and must match the response schema declared for its status. The suite runs
a few examples per operation (tests/api/test_fuzz.py); `benchmarks/fuzz.py` many more.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from factories import ADMIN_PASSWORD
from kozak import accounts
from kozak.settings import Settings
from kozak.workspace import Workspace
from live_server import LiveServer
from seeded import CONSUMERS, PATH_KINDS, Seeded, seed_workspace

CHECKS = [not_a_server_error, response_schema_conformance]

# Body fields and query parameters that name an object, set to a seeded one so the request
# reaches past its lookup: name -> kind (a list of kinds for a list of ids).
BODY_IDS: dict[str, str | list[str]] = {
    "experiment": "experiment",
    "experiment_ids": ["experiment", "experiment_queued"],
    "experiments": ["experiment"],
    "dataset": "dataset",
    "version": "version",
    "dataset_version_id": "version",
}
QUERY_IDS = {"against": "version"}
STREAM_QUERY = {"once": "true"}  # an event stream sends what there is and ends
TIMEOUT_S = 60  # per request; reports and prediction downloads of the tiny model take < 1 s


def seeded_server(folder: Path, tiny_dna: Path) -> tuple[LiveServer, Seeded]:
    """A workspace in `folder` seeded with one object of every kind, and `kozak up` on it."""
    home = folder / "home"
    workspace = Workspace.open(Settings(home=home, admin_password=ADMIN_PASSWORD))
    accounts.ensure_admin(workspace)
    server = LiveServer(home, env={"KOZAK_WORKERS": "0", "KOZAK_LOG_LEVEL": "warning"}).launch()
    try:
        seeded = seed_workspace(workspace, tiny_dna, foreign=False)  # while the server starts
        workspace.metadata.close()
        return server.wait(), seeded
    except BaseException:
        server.stop()
        raise


@dataclass
class Tally:
    """What a run generated and what came back."""

    cases: int = 0
    server_errors: int = 0
    statuses: dict[str, set[int]] = field(default_factory=dict)
    failures: dict[str, list[str]] = field(default_factory=dict)

    @property
    def operations(self) -> int:
        return len(self.statuses)

    @property
    def beyond_404(self) -> list[str]:
        """Operations that answered something other than 404 at least once."""
        return sorted(label for label, seen in self.statuses.items() if seen - {404})


class Fuzzer:
    """Schemathesis cases for each operation of a seeded server's OpenAPI document."""

    def __init__(self, server: LiveServer, seeded: Seeded) -> None:
        self.server, self.seeded = server, seeded
        self.schema = schemathesis.openapi.from_url(f"{server.url}/api/openapi.json")
        self.session = requests.Session()
        self.tally = Tally()

    def labels(self) -> list[str]:
        """`METHOD /path` of every operation the document declares."""
        return [result.ok().label for result in self.schema.get_all_operations()]

    def path_parameters(self, label: str) -> dict[str, str]:
        """Each path parameter of `label` fixed to a seeded object of its kind."""
        fixed, parts = {}, label.split(" ", 1)[1].split("/")
        for before, part in itertools.pairwise(parts):
            if part.startswith("{"):
                kind = PATH_KINDS[f"{before}/{part}"]
                kind = CONSUMERS.get(label, {}).get(kind, kind)
                fixed[part.strip("{}")] = self.seeded.ids[kind]
        return fixed

    def headers(self, label: str) -> dict[str, str]:
        path = label.split(" ", 1)[1]
        token = self.seeded.ids["deployment_token"] if path.startswith("/deployment/") else None
        return {"Authorization": f"Bearer {token or self.seeded.tokens['owner']}"}

    def use_real_ids(self, case: schemathesis.Case) -> None:
        """Put seeded objects in the body fields that name one (`BODY_IDS`)."""
        if not isinstance(case.body, dict):
            return
        for name, kind in BODY_IDS.items():
            if name in case.body:
                ids = self.seeded.ids
                case.body[name] = [ids[k] for k in kind] if isinstance(kind, list) else ids[kind]

    def run(
        self,
        label: str,
        max_examples: int,
        *,
        keep_going: bool = False,
        seed: int | None = None,
        mode: GenerationMode = GenerationMode.POSITIVE,
    ) -> None:
        """Send up to `max_examples` generated requests to `label`: the same ones every run, or
        those `seed` draws; valid ones, or (`mode` negative) ones the schema says are invalid.

        Raises:
            AssertionError: on the first server error or schema violation, unless `keep_going`,
                which records each one in `tally.failures` instead.
        """
        method, path = label.split(" ", 1)
        operation = self.schema[path][method]
        query = {q: self.seeded.ids[kind] for q, kind in QUERY_IDS.items()}
        if path.endswith("/events"):
            query |= STREAM_QUERY
        strategy = operation.as_strategy(
            generation_mode=mode,
            path_parameters=self.path_parameters(label),
            query={q: v for q, v in query.items() if q in operation.query} or None,
        )
        headers = self.headers(label)
        seen = self.tally.statuses.setdefault(label, set())

        @hypothesis.settings(
            max_examples=max_examples,
            derandomize=seed is None,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=strategy)
        def one(case: schemathesis.Case) -> None:
            self.use_real_ids(case)
            self.tally.cases += 1
            try:
                response = case.call(
                    base_url=self.server.url, session=self.session, headers=headers, timeout=TIMEOUT_S
                )
            except requests.RequestException as broken:  # e.g. a stream that broke off: a 5xx late
                self.tally.server_errors += 1
                if not keep_going:
                    raise
                self.tally.failures.setdefault(label, []).append(f"no answer: {broken}"[:2000])
                return
            self.tally.server_errors += response.status_code >= 500
            seen.add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except (AssertionError, BaseExceptionGroup) as failure:  # one failure, or several
                if not keep_going:
                    raise
                self.tally.failures.setdefault(label, []).append(str(failure)[:2000])

        try:
            (one if seed is None else hypothesis.seed(seed)(one))()
        except hypothesis.errors.Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, label  # no parameter to make invalid

    def close(self) -> None:
        self.session.close()


def summary(tally: Tally) -> dict[str, Any]:
    """The figures a run reports."""
    return {
        "cases": tally.cases,
        "operations": tally.operations,
        "operations_beyond_404": len(tally.beyond_404),
        "server_errors": tally.server_errors,
        "schema_violations": sum(len(f) for f in tally.failures.values()),
    }
