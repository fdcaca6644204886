"""Schemathesis against a real `kozak up` on a seeded workspace: a few generated requests per
operation of the OpenAPI document it publishes, with real ids (tests/fuzzing.py). No answer may
be a server error or differ from the response schema its status declares. `benchmarks/fuzz.py`
runs the same with many more examples.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from fuzzing import Fuzzer, seeded_server
from kozak.server.openapi import openapi_schema

EXAMPLES = 3  # per operation: with real ids this reaches every handler; the benchmark goes wider
LABELS = [
    f"{method.upper()} {path}" for path, item in openapi_schema()["paths"].items() for method in item
]


@pytest.fixture(scope="module")
def fuzzer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzer]:
    folder = tmp_path_factory.mktemp("fuzz")
    server, seeded = seeded_server(
        folder, Path(__file__).resolve().parents[1] / "files" / "tiny_dna.csv"
    )
    try:
        fuzzer = Fuzzer(server, seeded)
        yield fuzzer
        fuzzer.close()
    finally:
        server.stop()


def test_the_live_document_is_the_apps(fuzzer: Fuzzer) -> None:
    assert sorted(fuzzer.labels()) == sorted(LABELS)


@pytest.mark.parametrize("label", LABELS)
def test_no_server_error_and_answers_as_declared(fuzzer: Fuzzer, label: str) -> None:
    fuzzer.run(label, EXAMPLES)
