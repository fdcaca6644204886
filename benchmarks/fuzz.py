"""Fuzzing benchmark: Schemathesis against a real `kozak up` on a seeded workspace, at length.

Seeds a temporary workspace with one object of every kind (tests/seeded.py), starts the server
on 127.0.0.1, and sends up to `--max-examples` generated requests to every operation of the
OpenAPI document it publishes, with real ids in paths, bodies and queries (tests/fuzzing.py).
Every answer is checked: not a server error, and the response schema its status declares.
Prints a table per operation (cases, statuses seen, failures), each failure, then one JSON line:
`cases`, `operations`, `operations_beyond_404` (answered something other than 404 at least
once), `server_errors` (5xx answers), `schema_violations`, `seconds`.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table
from schemathesis import GenerationMode

TESTS = Path(__file__).resolve().parents[1] / "tests"
sys.path.insert(0, str(TESTS))  # the seeding and fuzzing helpers the suite's short run uses

from fuzzing import Fuzzer, seeded_server, summary  # noqa: E402

_EXCEPTION = re.compile(r"^[A-Za-z_.]+(Error|Exception)\b")  # the last line of a traceback


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=50, help="requests per operation")
    parser.add_argument("--seed", type=int, default=0, help="what Hypothesis draws")
    parser.add_argument("--only", default="", help="operations whose label contains this")
    parser.add_argument(
        "--modes",
        default="positive,negative",
        help="valid requests (positive), invalid ones (negative), or both",
    )
    args = parser.parse_args()

    console = Console(stderr=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="kozak-fuzz-") as folder:
        server, seeded = seeded_server(Path(folder), TESTS / "files" / "tiny_dna.csv")
        try:
            fuzzer = Fuzzer(server, seeded)
            modes = [GenerationMode(mode) for mode in args.modes.split(",")]
            for label in [label for label in fuzzer.labels() if args.only in label]:
                for mode in modes:
                    fuzzer.run(label, args.max_examples, keep_going=True, seed=args.seed, mode=mode)
            fuzzer.close()
        finally:
            server.stop()
            raised = sorted({line for line in server.log().splitlines() if _EXCEPTION.match(line)})
    figures = {**summary(fuzzer.tally), "seconds": round(time.perf_counter() - started, 1)}

    title = f"Schemathesis, up to {args.max_examples} requests per operation and mode ({args.modes})"
    table = Table(title=title)
    for column in ("operation", "statuses", "failures"):
        table.add_column(column)
    for label, statuses in fuzzer.tally.statuses.items():
        failures = fuzzer.tally.failures.get(label, [])
        table.add_row(label, " ".join(map(str, sorted(statuses))), str(len(failures) or ""))
    Console().print(table)
    for label, failures in fuzzer.tally.failures.items():
        console.print(f"[bold]{label}[/bold]")
        for failure in failures[:3]:
            console.print(failure, markup=False, highlight=False)
    for line in raised:
        console.print(f"server log: {line}", markup=False, highlight=False)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
