"""Optuna underneath: the study's storage, samplers, pruners, suggestions and importances.

The study lives beside the workspace's metadata: on PostgreSQL in the same database, in the
schema `kozak_optuna` (`<schema>_optuna` when the URL's search path puts Kozak in `<schema>`);
on SQLite in a sibling file (`kozak.db` → `kozak-optuna.db`). Both Kozak and Optuna keep
their schema revision in a table called `alembic_version`, so they cannot share one namespace:
Optuna would read Kozak's revision and refuse to start. Any worker that reaches the metadata
database reaches the study.

Samplers are made anew for each trial, seeded with the sweep's seed plus the trial's slot, so
that workers in different processes do not all draw the same "random" start-up trials.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from pathlib import Path
from typing import Any, Literal

import optuna
from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url

from kozak.errors import InvalidConfig
from kozak.sweeps.space import Dimension, SearchSpace
from kozak.sweeps.spec import Pruner, Sampler

OPTUNA_SCHEMA = "kozak_optuna"
SQLITE_TIMEOUT_S = 30  # workers of one SQLite study wait for each other's writes this long

optuna.logging.set_verbosity(optuna.logging.WARNING)
logger = logging.getLogger("kozak.sweeps")

_storages: dict[str, optuna.storages.RDBStorage] = {}
_lock = threading.Lock()


def optuna_url(database_url: str) -> tuple[str, dict[str, Any]]:
    """The Optuna storage URL and engine arguments for a metadata database URL.

    Raises:
        InvalidConfig: For a database other than SQLite (a file) or PostgreSQL.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return database_url, {"connect_args": {"options": f"-csearch_path={optuna_schema(url)}"}}
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        path = Path(url.database)
        sibling = path.with_name(f"{path.stem}-optuna{path.suffix or '.db'}")
        return url.set(database=str(sibling)).render_as_string(hide_password=False), {
            "connect_args": {"timeout": SQLITE_TIMEOUT_S}
        }
    raise InvalidConfig(
        "sweeps need the metadata database to be a SQLite file or PostgreSQL",
        database=url.get_backend_name(),
    )


def optuna_schema(url: URL) -> str:
    """The PostgreSQL schema of the studies: `kozak_optuna`, or `<schema>_optuna` when the URL
    sets a search path (Kozak's tables in `<schema>`)."""
    options = str(url.query.get("options", ""))
    match = re.search(r"search_path\s*=\s*([A-Za-z_][A-Za-z0-9_]*)", options)
    return f"{match.group(1)}_optuna" if match else OPTUNA_SCHEMA


def storage(database_url: str) -> optuna.storages.RDBStorage:
    """The Optuna storage beside this metadata database (created on first use, then cached)."""
    with _lock:
        if database_url in _storages:
            return _storages[database_url]
        url, engine_kwargs = optuna_url(database_url)
        if make_url(url).get_backend_name() == "postgresql":
            engine = create_engine(database_url)
            try:
                with engine.begin() as connection:
                    schema = optuna_schema(make_url(database_url))
                    connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
            finally:
                engine.dispose()
        made = optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        _storages[database_url] = made
        return made


def make_sampler(spec: Sampler, space: SearchSpace, slot: int) -> optuna.samplers.BaseSampler:
    """The sampler `spec` names, seeded for trial slot `slot`.

    Raises:
        InvalidConfig: For grid over a continuous dimension without a step.
    """
    seed = spec.seed + slot
    if spec.name == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if spec.name == "grid":
        grid = {d.name: d.grid() for d in space.dimensions}
        return optuna.samplers.GridSampler(grid, seed=spec.seed)
    if spec.name == "cmaes":
        # CMA-ES searches int and float dimensions; categorical ones are drawn at random.
        return optuna.samplers.CmaEsSampler(
            seed=seed,
            n_startup_trials=spec.startup_trials,
            independent_sampler=optuna.samplers.RandomSampler(seed=seed),
            warn_independent_sampling=False,
        )
    return optuna.samplers.TPESampler(seed=seed, n_startup_trials=spec.startup_trials)


def make_pruner(spec: Pruner, max_epochs: int) -> optuna.pruners.BasePruner:
    """The pruner `spec` names; `max_epochs` is a trial's most epochs (Hyperband's top rung)."""
    if spec.name == "median":
        return optuna.pruners.MedianPruner(
            n_startup_trials=spec.startup_trials, n_warmup_steps=spec.warmup_epochs
        )
    if spec.name == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=spec.min_epochs, reduction_factor=spec.reduction_factor
        )
    if spec.name == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=spec.min_epochs,
            max_resource=max(max_epochs, spec.min_epochs),
            reduction_factor=spec.reduction_factor,
        )
    return optuna.pruners.NopPruner()


def create_study(database_url: str, study_name: str, direction: Literal["minimize", "maximize"]) -> None:
    """Create the sweep's Optuna study."""
    optuna.create_study(storage=storage(database_url), study_name=study_name, direction=direction)


def load_study(
    database_url: str,
    study_name: str,
    sampler: optuna.samplers.BaseSampler | None = None,
    pruner: optuna.pruners.BasePruner | None = None,
) -> optuna.Study:
    """The sweep's study, with the sampler and pruner this process uses for it."""
    return optuna.load_study(
        study_name=study_name, storage=storage(database_url), sampler=sampler, pruner=pruner
    )


def delete_study(database_url: str, study_name: str) -> None:
    """Remove the study (nothing happens when it is gone already)."""
    with contextlib.suppress(KeyError):
        optuna.delete_study(study_name=study_name, storage=storage(database_url))


def suggest(trial: optuna.Trial, dim: Dimension) -> Any:
    """The trial's value of one dimension."""
    if dim.type == "categorical":
        return trial.suggest_categorical(dim.name, list(dim.values or []))
    assert dim.low is not None and dim.high is not None
    if dim.type == "int":
        return trial.suggest_int(
            dim.name, int(dim.low), int(dim.high), step=int(dim.step or 1), log=dim.log
        )
    return trial.suggest_float(dim.name, dim.low, dim.high, step=dim.step, log=dim.log)


def trial_handle(study: optuna.Study, trial_id: int) -> optuna.Trial:
    """A live handle on a running trial of `study` (in any process), to report and prune."""
    return optuna.trial.Trial(study, trial_id)


def importances(study: optuna.Study) -> dict[str, float]:
    """Optuna's parameter importances (fANOVA) over completed trials; empty with fewer than 2
    or when every completed trial scored the same."""
    complete = study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.COMPLETE,))
    if len(complete) < 2 or len({t.value for t in complete}) < 2:
        return {}
    try:
        evaluator = optuna.importance.FanovaImportanceEvaluator(seed=0)  # the same each look
        found = optuna.importance.get_param_importances(study, evaluator=evaluator)
    except (RuntimeError, ValueError) as exc:  # e.g. a dimension with one value sampled
        logger.info("no parameter importances yet: %s", exc)
        return {}
    return {name: float(value) for name, value in found.items()}
