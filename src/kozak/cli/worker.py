"""`kozak worker`: claim and run queued jobs until SIGTERM or Ctrl-C, one log line per job.

The first SIGTERM or SIGINT stops the current run after its batch (the experiment becomes
`stopped`, resumable) and exits; a second one exits at once.
"""

from __future__ import annotations

import logging
import signal
from types import FrameType
from typing import Annotated

import typer

from kozak.cli.common import open_workspace
from kozak.runner.worker import Worker


def worker_command(
    once: Annotated[bool, typer.Option("--once", help="Run at most one queued job, then exit.")] = False,
    parent: Annotated[
        int | None,
        typer.Option(
            "--parent",
            help="Process id of the server that started this worker: stop when it is gone "
            "(`kozak up` sets it).",
        ),
    ] = None,
) -> None:
    """Run queued training and evaluation jobs of the workspace (KOZAK_* settings)."""
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    logging.getLogger("kozak").addHandler(handler)
    logging.getLogger("kozak").setLevel(logging.INFO)
    log = logging.getLogger("kozak.runner")
    worker = Worker(open_workspace(), parent=parent)

    def on_signal(number: int, frame: FrameType | None) -> None:
        if worker.stopping:
            raise KeyboardInterrupt  # asked twice: leave now
        log.info("worker %s: %s, stopping", worker.worker_id, signal.Signals(number).name)
        worker.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("worker %s: waiting for jobs", worker.worker_id)
    if once:
        worker.run_one()
    else:
        worker.run_forever()
