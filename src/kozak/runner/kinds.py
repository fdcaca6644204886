"""The job kinds by name. A new kind is one module defining its `JobKind` and one entry here;
a kind of no one experiment (a design) is a `ProjectJobKind` in `PROJECT_JOB_KINDS`."""

from __future__ import annotations

from kozak.errors import InvalidConfig
from kozak.runner.design_job import DESIGN
from kozak.runner.evaluation_job import EVALUATE
from kozak.runner.job_kind import JobKind, ProjectJobKind
from kozak.runner.sweep_jobs import KIND as SWEEP_TRIAL_KIND
from kozak.runner.sweep_jobs import SWEEP_TRIAL
from kozak.runner.training_jobs import CONTINUE, RESUME, TRAIN

JOB_KINDS: dict[str, JobKind] = {
    "train": TRAIN,
    "resume": RESUME,
    "continue": CONTINUE,
    "evaluate": EVALUATE,
    SWEEP_TRIAL_KIND: SWEEP_TRIAL,
}

PROJECT_JOB_KINDS: dict[str, ProjectJobKind] = {"design": DESIGN}


def job_kind(name: str) -> JobKind:
    """The kind named `name`, or `InvalidConfig` listing the kinds."""
    if name not in JOB_KINDS:
        raise InvalidConfig(f"unknown job kind {name!r}; choose one of: {', '.join(JOB_KINDS)}")
    return JOB_KINDS[name]
